from django.contrib import admin

from schutznetz.network.models import (
    AgreementVersion,
    Material,
    Meeting,
    NewsItem,
    PartnerProfile,
    WorkingGroup,
)


# Read-only in the admin: every write goes through the services (audit trail).
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (PartnerProfile, WorkingGroup, AgreementVersion, Meeting, NewsItem, Material):
    admin.site.register(model, ReadOnlyAdmin)
