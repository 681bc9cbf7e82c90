from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "schutznetz.core"
    label = "core"
    verbose_name = _("Kern")


class SchutznetzAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "schutznetz.core.admin_site.SchutznetzAdminSite"
