"""Database aggregates Django does not ship for every backend."""

from django.db.models import Aggregate, CharField


class CommaList(Aggregate):
    """Values joined with commas, for one annotation instead of one query per row.

    Written here because Django 5.2 has a portable string aggregate only for PostgreSQL
    (``contrib.postgres``); SQLite calls the same thing GROUP_CONCAT. Meant for codes that
    never contain a comma (section and role keys).
    """

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def split_comma_list(value):
    """The codes of a ``CommaList`` annotation (``None`` when there were no rows)."""
    return frozenset(value.split(",")) if value else frozenset()
