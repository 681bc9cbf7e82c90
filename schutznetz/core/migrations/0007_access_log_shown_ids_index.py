from django.db import migrations

# PostgreSQL answers the Art. 15 question "which list reads showed case 42" from this index
# (``object_ids @> '["42"]'``). SQLite has no such index type; the demo's log is small.
GIN_INDEX = "core_access_object_ids_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {GIN_INDEX} ON core_accesslogentry "
            "USING gin (object_ids jsonb_path_ops)"
        )


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    # CONCURRENTLY: building the index over a long access log must not stop every page that logs a
    # read in the meantime; PostgreSQL cannot build it that way inside a transaction.
    atomic = False

    dependencies = [
        ("core", "0006_data_changes"),
    ]

    operations = [
        migrations.RunPython(create_gin_index, drop_gin_index),
    ]
