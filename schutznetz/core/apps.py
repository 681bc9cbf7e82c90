from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "schutznetz.core"
    label = "core"
    verbose_name = _("Kern")

    def ready(self):
        from django.db.models.signals import post_migrate

        from schutznetz.core import data_version, page_cache

        # After every migrate (and Django's flush in tests): new tables get their change triggers.
        post_migrate.connect(data_version.install_triggers, dispatch_uid="schutznetz.data_version")
        page_cache.connect_signals()


class SchutznetzAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "schutznetz.core.admin_site.SchutznetzAdminSite"
