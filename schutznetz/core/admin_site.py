"""The admin site class, in a module of its own.

``SchutznetzAdminConfig.default_site`` points here. Were it defined in
``core/admin.py``, loading it would run that module's ``@admin.register``
calls against a site instance that is then thrown away.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _


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
