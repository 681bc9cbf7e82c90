"""Read-only admin views: every change goes through the services (custody rules, audit)."""

from django.contrib import admin

from schutznetz.evidence.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "storage_site", "retention_years", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
