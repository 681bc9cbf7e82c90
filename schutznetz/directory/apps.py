from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def ensure_version_triggers(sender, using="default", **kwargs):
    """After every migrate (and test flush): the finder's version triggers and token exist.

    SQLite drops a table's triggers when a migration rebuilds the table; see version_triggers.
    """
    from schutznetz.directory import version_triggers

    connection = connections[using]
    if version_triggers.VERSION_TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, version_triggers.VERSION_TABLE)
    # Migrated back to before 0006: the triggers of that state are not ours to rebuild.
    if "reports_token" in {column.name for column in columns}:
        version_triggers.install(connection)


class DirectoryConfig(AppConfig):
    name = "schutznetz.directory"
    label = "directory"
    verbose_name = "Hilfeangebote"

    def ready(self):
        post_migrate.connect(ensure_version_triggers, sender=self, dispatch_uid="directory-version-triggers")
