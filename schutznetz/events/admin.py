"""Events, programme and speakers are edited in the admin (Koordination only); every save is audited.

Registrations are not in the admin: participants are handled on the staff pages,
where each read is logged and every change goes through ``services``.
"""

from django.contrib import admin
from django.db import transaction

from schutznetz.core.services import record_audit
from schutznetz.events import services
from schutznetz.events.models import Event, ProgrammeItem, Speaker


class _KoordinationInline:
    def _allowed(self, request):
        return request.user.is_active and request.user.has_perm("core.use_admin")

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class ProgrammeItemInline(_KoordinationInline, admin.TabularInline):
    model = ProgrammeItem
    extra = 1
    fields = ("kind", "title", "starts_at", "ends_at", "room", "capacity", "speakers")
    filter_horizontal = ("speakers",)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "speakers":
            # Only this event's speakers (a new event has none yet: save it with its speakers first).
            match = getattr(request, "resolver_match", None)
            object_id = str((match.kwargs if match else {}).get("object_id", ""))
            kwargs["queryset"] = (
                Speaker.objects.filter(event_id=int(object_id))
                if object_id.isdigit()
                else Speaker.objects.none()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class SpeakerInline(_KoordinationInline, admin.StackedInline):
    model = Speaker
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "venue_city", "capacity", "is_published")
    list_filter = ("is_published", "organiser")
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    exclude = ("personal_data_erased_at",)
    inlines = [SpeakerInline, ProgrammeItemInline]

    def has_add_permission(self, request):
        return request.user.is_active and request.user.has_perm("events.add_event")

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("core.use_admin")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("core.use_admin")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_audit(request.user, "event.update" if change else "event.create", obj, form.changed_data)
            if change and "capacity" in form.changed_data:
                services.fill_free_places(request.user, obj.pk)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            if formset.has_changed():
                record_audit(request.user, "event.programme_update", form.instance, [formset.prefix])

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_audit(request.user, "event.delete", obj, [])
            super().delete_model(request, obj)
