"""The Django admin, for Koordination only.

Koordination staff are not superusers (a superuser would pass every object
rule and see case content), so the site and every model admin ask the rules
registry instead of Django's is_staff/model permissions.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from schutznetz.core.admin_site import KoordinationPermissions, SchutznetzAdminSite  # noqa: F401
from schutznetz.core.models import AccessLogEntry, AuditEntry


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs can be read here but never written: they are append-only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyLogAdmin):
    list_display = ("id", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyLogAdmin):
    list_display = ("created_at", "user_label", "object_type", "shown", "purpose")
    list_filter = ("object_type", "purpose")

    @admin.display(description=_("Objekt-ID(s)"))
    def shown(self, entry):
        return ", ".join(entry.shown_ids)
