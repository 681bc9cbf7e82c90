"""A version of everything in the database that a page can show, for the page cache.

Every table but a few logs carries a database trigger that notes a change in
``core_datachange`` (``DataChange``): one row per transaction on PostgreSQL, one per changed row on
SQLite. ``current()`` reads, in one statement, how many changes were ever committed and the newest
one. That pair moves with every committed change, and only then:

- it is read in one snapshot, and a change becomes visible together with its data (same
  transaction), so a page rendered after reading the version shows at least that state;
- the count only grows: a change rolled back is gone with its row, pruning moves the rows it deletes
  into ``DataChangeTally`` in the same transaction;
- the newest row's id and random token tell a change apart from one rolled back before it
  (SQLite reuses the id of a rolled-back row; its token differs).

Why triggers, not Django signals: bulk updates, ``QuerySet.update``, migrations, the task worker and
management commands change data without signals, and in other processes. A trigger misses nothing
that writes through the database. A table added later gets its triggers after ``migrate``
(``post_migrate``), and a test checks that every table has them.

Why a row per transaction, not one counter row: a counter would be locked by every writing
transaction until it commits, so all writes in the county would queue behind a long import, and a
transaction that locked rows before its first write could deadlock with one that wrote first.
Inserts take no such lock.
"""

from django.conf import settings
from django.db import connections, transaction
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL

from schutznetz.core import prepared

# Tables whose changes no cached page shows: the log that reading itself writes, the session store,
# the rate counters of public forms and the database cache (sign-in lock-outs and rate limits).
# Changes there must not empty the page cache on every request.
UNTRACKED_TABLES = frozenset(
    {
        "core_accesslogentry",
        "core_datachange",
        "core_datachangetally",
        "core_ratecounter",
        "django_session",
        "django_migrations",
        *(
            cache["LOCATION"]
            for cache in settings.CACHES.values()
            if cache["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        ),
    }
)

TRIGGER = "schutznetz_note_change"
PRUNE_ABOVE = 50  # rows in core_datachange before a reader folds them into the tally

# The version's values, each a scalar subquery, so that a statement that reads something else can
# read the version with it (the session look-up every signed-in request makes: ``read_with``).
VERSION_COLUMNS = {
    "changes": "SELECT COUNT(*) FROM core_datachange",
    "pruned": "SELECT pruned FROM core_datachangetally WHERE id = 1",
    "newest": "SELECT id FROM core_datachange ORDER BY id DESC LIMIT 1",
    "token": "SELECT token FROM core_datachange ORDER BY id DESC LIMIT 1",
}
_VERSION_SQL = "SELECT " + ", ".join(f"({sql})" for sql in VERSION_COLUMNS.values())  # noqa: S608 - ours


def current(using="default"):
    """The version: changes committed so far and the newest change's id and token."""
    connection = connections[using]
    with prepared.server_prepared_cursor(connection) as cursor:
        cursor.execute(_VERSION_SQL)
        return from_columns(*cursor.fetchone(), using=using)


def read_with(queryset):
    """``queryset`` annotated with the version's values (``from_instance`` reads them back): one
    statement for both, read in one snapshot."""
    return queryset.annotate(
        **{
            f"data_version_{name}_": RawSQL(sql, (), output_field=BigIntegerField())  # noqa: S611 - ours
            for name, sql in VERSION_COLUMNS.items()
        }
    )


def from_instance(instance, using="default"):
    """The version read with ``instance`` (a row of a queryset from ``read_with``)."""
    return from_columns(
        *(getattr(instance, f"data_version_{name}_") for name in VERSION_COLUMNS), using=using
    )


def from_columns(changes, pruned, newest, token, using="default"):
    if changes > PRUNE_ABOVE:
        _prune(connections[using])
    return (changes + (pruned or 0), newest, token)


def _prune(connection):
    """Fold all but the newest change row into the tally; the version stays the same."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_datachange WHERE id < (SELECT MAX(id) FROM core_datachange)")
        folded = cursor.rowcount
        if folded > 0:
            cursor.execute(
                "INSERT INTO core_datachangetally (id, pruned) VALUES (1, %s) "
                "ON CONFLICT (id) DO UPDATE SET pruned = core_datachangetally.pruned + excluded.pruned",
                [folded],
            )


# --- triggers ------------------------------------------------------------------------------------

# PostgreSQL: one row per transaction. The transaction-local setting remembers that this
# transaction has noted its change already (a savepoint rolled back takes the setting and the row
# with it). TRUNCATE (Django's flush) gets a statement trigger, as it fires no row triggers.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION schutznetz_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('schutznetz.change_noted', true) IS DISTINCT FROM txid_current()::text THEN
    PERFORM set_config('schutznetz.change_noted', txid_current()::text, true);
    INSERT INTO core_datachange (token) VALUES (floor(random() * 9e18)::bigint);
  END IF;
  RETURN NULL;
END $$
"""


def _pg_statements(table, quote):
    return [
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
        f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
        f"CREATE TRIGGER {TRIGGER}_truncate AFTER TRUNCATE ON {quote(table)} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()",
    ]


def _sqlite_statements(table, quote):
    return [
        f"CREATE TRIGGER IF NOT EXISTS {quote(f'{TRIGGER}_{event.lower()}_{table}')} "  # noqa: S608 - names
        f"AFTER {event} ON {quote(table)} "
        "BEGIN INSERT INTO core_datachange (token) VALUES (random()); END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def tracked_tables(connection):
    return sorted(set(connection.introspection.table_names()) - UNTRACKED_TABLES)


def tables_with_triggers(connection):
    """Tables that carry the change triggers (all of them, for a complete set)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE t.tgname IN (%s, %s) AND n.nspname = current_schema() "
                "GROUP BY c.relname HAVING COUNT(*) = 2",
                [TRIGGER, f"{TRIGGER}_truncate"],
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
                "GROUP BY tbl_name HAVING COUNT(*) = 3",
                [f"{TRIGGER}%"],
            )
        return {row[0] for row in cursor.fetchall()}


def install_triggers(using="default", **kwargs):
    """Give every tracked table its triggers (``post_migrate``; tables that have them are skipped)."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(connection.introspection.table_names())
    if "core_datachange" not in tables:
        return  # core's migration has not run yet
    complete = tables_with_triggers(connection)
    missing = [table for table in tracked_tables(connection) if table not in complete]
    if not missing:
        return
    quote = connection.ops.quote_name
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in missing:
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}_truncate ON {quote(table)}")
                for statement in _pg_statements(table, quote):
                    cursor.execute(statement)
        else:
            for table in missing:
                for statement in _sqlite_statements(table, quote):
                    cursor.execute(statement)
