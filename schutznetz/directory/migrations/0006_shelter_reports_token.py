"""A second token, renewed by every shelter report, for the workers' traffic lights.

The triggers are dropped first and created again afterwards from ``directory/version_triggers.py``: the
directory's triggers now renew only their own column (an upsert of the whole row would reset
the other token), and shelter reports get their own.
"""

from django.db import migrations, models

from schutznetz.directory import version_triggers


def drop_triggers(apps, schema_editor):
    # Before the column is added: SQLite adds it by rebuilding the version table, and renaming
    # the rebuilt table fails while triggers still refer to the old one.
    version_triggers.remove(schema_editor.connection)


def install_triggers(apps, schema_editor):
    version_triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_finder_version"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.AddField(
            model_name="directoryversion",
            name="reports_token",
            field=models.CharField(db_default="", default="", max_length=64),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
