"""The Django admin, for Koordination only.

Koordination staff are not superusers (a superuser would pass every object
rule and see case content), so the site and every model admin ask the rules
registry instead of Django's is_staff/model permissions.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _

from schutznetz.core.models import AccessLogEntry, AuditEntry


class KoordinationPermissions:
    def _allowed(self, request):
        return request.user.is_active and request.user.has_perm("core.use_admin")

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request) and super().has_delete_permission(request, obj)


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs can be read here but never written: they are append-only."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SchutznetzAdminSite(admin.AdminSite):
    site_header = _("schutznetz – Verwaltung")
    site_title = _("schutznetz")

    def has_permission(self, request):
        return request.user.is_active and request.user.has_perm("core.use_admin")

    def login(self, request, extra_context=None):
        return redirect_to_login(request.get_full_path())

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, KoordinationPermissions):
            base = type(base.__name__, (KoordinationPermissions, base), {})
        super().register(model_or_iterable, base, **options)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyLogAdmin):
    list_display = ("id", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyLogAdmin):
    list_display = ("created_at", "user_label", "object_type", "object_id", "purpose")
    list_filter = ("object_type", "purpose")
