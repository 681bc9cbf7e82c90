"""On PostgreSQL the audit table is append-only: a trigger rejects UPDATE and DELETE.

(TRUNCATE, used by test database flushes and by restore into an empty
installation, is a table-level statement and not affected.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION schutznetz_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Das Audit-Protokoll ist unveränderlich (% verweigert)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION schutznetz_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS schutznetz_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
