"""The database triggers that renew ``DirectoryVersion``'s tokens on every write to the finder's tables.

Created by migration 0005 and checked again after every ``migrate`` (and test flush) by a
``post_migrate`` handler (``apps.py``): SQLite drops a table's triggers whenever a migration
rebuilds that table, and a finder index that silently stopped noticing changes would keep
showing withdrawn offers. Creating only what is missing keeps the check cheap.
"""

# ruff: noqa: S608 - the statements are built from this module's constant table names only.

# Which column each table's writes renew: the finder index follows ``token``; the shelter
# traffic lights follow ``reports_token`` (a report must not reload the whole index).
COLUMNS = {
    "token": (
        "directory_offer",
        "directory_provider",
        "directory_municipality",
        "directory_servedarea",
        "directory_schedule",
    ),
    "reports_token": ("directory_shelterreport",),
}
TABLES = tuple(table for tables in COLUMNS.values() for table in tables)
VERSION_TABLE = "directory_directoryversion"
SUFFIX = "_renew_version"


def _column_of(table):
    return next(column for column, tables in COLUMNS.items() if table in tables)


def _postgres_function(column):
    # An UPDATE of the one row (created by ``install``): an upsert would have to name every
    # column, and each trigger must renew only its own token.
    return f"""
CREATE OR REPLACE FUNCTION directory_renew_{column}() RETURNS trigger AS $$
BEGIN
    UPDATE {VERSION_TABLE} SET {column} = md5(random()::text || clock_timestamp()::text) WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_renew(column):
    return f"UPDATE {VERSION_TABLE} SET {column} = lower(hex(randomblob(16))) WHERE id = 1;"


SQLITE_EVENTS = ("insert", "update", "delete")
OLD_POSTGRES_FUNCTIONS = ("directory_renew_version",)  # before migration 0006


def _existing(cursor, vendor):
    if vendor == "postgresql":
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE %s", ["%" + SUFFIX])
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", ["%" + SUFFIX + "%"]
        )
    return {row[0] for row in cursor.fetchall()}


def expected_names(vendor):
    if vendor == "postgresql":
        return {table + SUFFIX for table in TABLES}
    return {f"{table}{SUFFIX}_{event}" for table in TABLES for event in SQLITE_EVENTS}


def missing(connection):
    """Names of the triggers that should exist and do not."""
    with connection.cursor() as cursor:
        return expected_names(connection.vendor) - _existing(cursor, connection.vendor)


def install(connection):
    """Create whatever is missing: the functions, the triggers, the token row."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        present = _existing(cursor, vendor)
        if vendor == "postgresql":
            for column in COLUMNS:
                cursor.execute(_postgres_function(column))
            for table in TABLES:
                if table + SUFFIX not in present:
                    cursor.execute(
                        f"CREATE TRIGGER {table}{SUFFIX} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION directory_renew_{_column_of(table)}()"
                    )
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (id, token, reports_token) VALUES (1, md5(random()::text), '') "
                "ON CONFLICT (id) DO NOTHING"
            )
        else:
            for table in TABLES:
                for event in SQLITE_EVENTS:
                    name = f"{table}{SUFFIX}_{event}"
                    if name not in present:
                        cursor.execute(
                            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} "
                            f"BEGIN {_sqlite_renew(_column_of(table))} END"
                        )
            cursor.execute(
                f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, token, reports_token) "
                "VALUES (1, lower(hex(randomblob(16))), '')"
            )


def remove(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}{SUFFIX} ON {table}")
            for name in (*OLD_POSTGRES_FUNCTIONS, *(f"directory_renew_{column}" for column in COLUMNS)):
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for name in expected_names(connection.vendor):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
