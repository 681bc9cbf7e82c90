"""The database triggers that renew ``DirectoryVersion`` on every write to the finder's tables.

Created by migration 0005 and checked again after every ``migrate`` (and test flush) by a
``post_migrate`` handler (``apps.py``): SQLite drops a table's triggers whenever a migration
rebuilds that table, and a finder index that silently stopped noticing changes would keep
showing withdrawn offers. Creating only what is missing keeps the check cheap.
"""

# ruff: noqa: S608 - the statements are built from this module's constant table names only.

TABLES = (
    "directory_offer",
    "directory_provider",
    "directory_municipality",
    "directory_servedarea",
    "directory_schedule",
)
VERSION_TABLE = "directory_directoryversion"
SUFFIX = "_renew_version"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION directory_renew_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
SQLITE_RENEW = f"INSERT OR REPLACE INTO {VERSION_TABLE} (id, token) VALUES (1, lower(hex(randomblob(16))));"
SQLITE_EVENTS = ("insert", "update", "delete")


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
    """Create whatever is missing: the function, the triggers, the token row."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        present = _existing(cursor, vendor)
        if vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for table in TABLES:
                if table + SUFFIX not in present:
                    cursor.execute(
                        f"CREATE TRIGGER {table}{SUFFIX} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION directory_renew_version()"
                    )
            cursor.execute(
                f"INSERT INTO {VERSION_TABLE} (id, token) VALUES (1, md5(random()::text)) "
                "ON CONFLICT (id) DO NOTHING"
            )
        else:
            for table in TABLES:
                for event in SQLITE_EVENTS:
                    name = f"{table}{SUFFIX}_{event}"
                    if name not in present:
                        cursor.execute(
                            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} BEGIN {SQLITE_RENEW} END"
                        )
            cursor.execute(
                f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, token) VALUES (1, lower(hex(randomblob(16))))"
            )


def remove(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}{SUFFIX} ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS directory_renew_version()")
        else:
            for name in expected_names(connection.vendor):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
