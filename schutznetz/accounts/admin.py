from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Invitation, Organisation, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "organisation", "is_active", "is_demo")
    list_filter = ("organisation__kind", "is_active", "is_demo")
    # No is_superuser, is_staff, groups or permissions: Koordination must not be able to
    # lift anyone (itself included) past the role rules, which keep case content hidden.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email")}),
        ("schutznetz", {"fields": ("organisation", "is_active", "is_demo")}),
        (_("Daten"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined", "is_demo")
    search_fields = ("username", "first_name", "last_name", "email")
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
