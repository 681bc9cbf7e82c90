from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Invitation, Organisation, User, UserRole
from schutznetz.core.services import record_audit


class AuditedAdmin(admin.ModelAdmin):
    """Writes in the admin append to the audit chain like every service does.

    Switching an organisation off, giving someone a role or setting their password here is as
    much a change as through the services, and the data protection officer must find it.
    ``audit_name`` is the prefix of the actions (``organisation.update``, ``user.delete``, …).
    """

    audit_name = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = form.changed_data if change else list(form.fields)
        if fields or not change:
            record_audit(request.user, f"{self.audit_name}.{'update' if change else 'create'}", obj, fields)

    def delete_model(self, request, obj):
        identity = (obj._meta.label_lower, str(obj.pk))
        super().delete_model(request, obj)
        record_audit(request.user, f"{self.audit_name}.delete", identity)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # the list's delete action runs outside the admin's transaction
            identities = [(obj._meta.label_lower, str(obj.pk)) for obj in queryset]
            super().delete_queryset(request, queryset)
            for identity in identities:
                record_audit(request.user, f"{self.audit_name}.delete", identity)


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    audit_name = "user"
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

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is UserRole and formset.has_changed():
            record_audit(request.user, "user.roles", form.instance, ["roles"])

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record_audit(request.user, "user.password", (User._meta.label_lower, str(id)), ["password"])
        return response


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    audit_name = "organisation"
    list_display = ("name", "kind", "municipality", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    audit_name = "invitation"
    list_display = ("email", "organisation", "created_at", "expires_at", "accepted_at")
    readonly_fields = ("token",)
