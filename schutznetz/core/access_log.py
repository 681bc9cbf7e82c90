"""Recording reads of protected records."""

import contextlib
import contextvars
import json

from django.db import connections, router
from django.utils import timezone

from schutznetz.core import prepared
from schutznetz.core.models import AccessLogEntry


def _reader(user):
    """``(user id, label, organisation id)`` of whoever reads: the same in every row."""
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk, user.get_username(), getattr(user, "organisation_id", None)
    return None, "anonym", None


# The reads of the page being rendered, for the page cache to log again when it serves the page.
_reads = contextvars.ContextVar("schutznetz_reads", default=None)


@contextlib.contextmanager
def recording():
    """Collect the rows logged inside the block (``write_reads`` writes them again for another request)."""
    reads = []
    token = _reads.set(reads)
    try:
        yield reads
    finally:
        _reads.reset(token)


def _note(purpose, object_type, object_id, object_ids):
    reads = _reads.get()
    if reads is not None:
        reads.append((purpose, object_type, object_id, object_ids))


def write_reads(user, reads):
    """Log ``reads`` (from ``recording``) again, as read by ``user`` now.

    Prepared on the server (PostgreSQL), as a served page logs on every request. Several reads go
    in one statement, an ``INSERT … SELECT`` over a JSON array of them (PostgreSQL).
    """
    if not reads:
        return
    user_id, user_label, organisation_id = _reader(user)
    connection = connections[router.db_for_write(AccessLogEntry)]
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with prepared.server_prepared_cursor(connection) as cursor:
        if len(reads) > 1 and connection.vendor == "postgresql":
            shown = json.dumps(reads)
            cursor.execute(
                _insert_from_json_sql(connection), [created_at, user_id, user_label, organisation_id, shown]
            )
        else:
            for purpose, object_type, object_id, object_ids in reads:
                shown = None if object_ids is None else json.dumps(object_ids)
                row = [
                    created_at,
                    user_id,
                    user_label,
                    organisation_id,
                    purpose,
                    object_type,
                    object_id,
                    shown,
                ]
                cursor.execute(_insert_sql(connection), row)
    for read in reads:
        _note(*read)


def _insert_from_json_sql(connection):
    """The rows of a JSON array of reads, inserted in one statement (PostgreSQL)."""
    sql = _INSERT_SQL.get("json")
    if sql is None:
        sql = _INSERT_SQL["json"] = (
            f"INSERT INTO {_table_and_columns(connection)} "  # noqa: S608 - names from _meta
            "SELECT %s, %s, %s, %s, read->>0, read->>1, read->>2, NULLIF(read->3, 'null'::jsonb) "
            "FROM jsonb_array_elements(%s::jsonb) AS reads(read)"
        )
    return sql


def log_access(user, obj, purpose="view"):
    """Write who read ``obj`` (a model instance or an ``(type, id)`` pair)."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    user_id, user_label, organisation_id = _reader(user)
    _note(purpose, object_type, str(object_id), None)
    return AccessLogEntry.objects.create(
        user_id=user_id,
        user_label=user_label,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
    )


def log_access_many(user, objects, purpose="list"):
    """One row per type of the shown objects, their ids in ``object_ids`` (see ``AccessLogEntry``).

    A list page logs on every request, so the row is written with one plain ``INSERT`` of its
    values rather than through a model instance, which cost as much as the database's own work.
    """
    shown = {}
    for obj in objects:
        ids = shown.setdefault(obj._meta.label_lower, {})
        ids[str(obj.pk)] = None  # a dict keeps the order shown and drops repeats
    write_reads(user, [(purpose, object_type, "", list(ids)) for object_type, ids in shown.items()])


_COLUMNS = (
    "created_at",
    "user",
    "user_label",
    "organisation",
    "purpose",
    "object_type",
    "object_id",
    "object_ids",
)
_INSERT_SQL = {}  # per database vendor, and "json": the insert from a JSON array (PostgreSQL)


def _insert_sql(connection):
    sql = _INSERT_SQL.get(connection.vendor)
    if sql is None:
        values = ", ".join(["%s"] * len(_COLUMNS))
        sql = _INSERT_SQL[connection.vendor] = (
            f"INSERT INTO {_table_and_columns(connection)} VALUES ({values})"  # noqa: S608 - names from _meta
        )
    return sql


def _table_and_columns(connection):
    """``"table" ("column", …)`` of the access log, as both inserts name it."""
    meta, quote = AccessLogEntry._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
    return f"{quote(meta.db_table)} ({columns})"
