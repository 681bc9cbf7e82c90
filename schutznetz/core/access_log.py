"""Recording reads of protected records."""

from django.db import connections, router
from django.utils import timezone

from schutznetz.core.models import AccessLogEntry


def _reader(user):
    """``(user id, label, organisation id)`` of whoever reads: the same in every row."""
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk, user.get_username(), getattr(user, "organisation_id", None)
    return None, "anonym", None


def log_access(user, obj, purpose="view"):
    """Write who read ``obj`` (a model instance or an ``(type, id)`` pair)."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    user_id, user_label, organisation_id = _reader(user)
    return AccessLogEntry.objects.create(
        user_id=user_id,
        user_label=user_label,
        organisation_id=organisation_id,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose,
    )


def log_access_many(user, objects, purpose="list"):
    """One row per object, written in one statement (lists log every shown record).

    Written as a multi-row INSERT of plain values instead of ``bulk_create``: a list page logs
    50 rows on every request, and building 50 model instances cost three times as much as the
    database's own work. The values are the same as ``log_access`` writes.
    """
    user_id, user_label, organisation_id = _reader(user)
    connection = connections[router.db_for_write(AccessLogEntry)]
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (created_at, user_id, user_label, organisation_id, obj._meta.label_lower, str(obj.pk), purpose)
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            cursor.execute(_insert_sql(connection, len(chunk)), [value for row in chunk for value in row])


_COLUMNS = ("created_at", "user", "user_label", "organisation", "object_type", "object_id", "purpose")
# 100 rows of 7 values stay below SQLite's oldest limit of 999 parameters per statement.
_ROWS_PER_STATEMENT = 100


def _insert_sql(connection, row_count):
    meta, quote = AccessLogEntry._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _COLUMNS)
    row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    values = ", ".join([row] * row_count)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608 - names from _meta
