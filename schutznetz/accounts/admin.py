from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from schutznetz.accounts.models import Invitation, Organisation, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "organisation", "is_active", "is_demo")
    list_filter = ("organisation__kind", "is_active", "is_demo")
    fieldsets = (*BaseUserAdmin.fieldsets, ("schutznetz", {"fields": ("organisation", "is_demo")}))
    inlines = [UserRoleInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "municipality", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token",)
