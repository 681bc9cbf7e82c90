"""Every read of events and participants; staff reads are scoped to the user."""

from django.db.models import Count, Q
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.core.access import get_scoped_or_404
from schutznetz.core.access_log import log_access
from schutznetz.events.models import Event, ItemKind, ProgrammeItem, Registration, Status


def public_events():
    """Published events that have not ended, soonest first."""
    return Event.objects.filter(is_published=True, ends_at__gte=timezone.now()).select_related("organiser")


def public_calendar_events():
    return Event.objects.filter(is_published=True).order_by("-starts_at")[:200]


def public_event(slug):
    return get_scoped_or_404(
        Event.objects.filter(is_published=True)
        .select_related("organiser")
        .prefetch_related("programme__speakers", "speakers"),
        slug=slug,
    )


def workshops_with_load(event):
    now = timezone.now()
    active = Registration.objects.filter(event=event).active(now)
    return list(
        ProgrammeItem.objects.filter(event=event, kind=ItemKind.WORKSHOP).annotate(
            taken=Count("registrations", filter=Q(registrations__in=active))
        )
    )


def free_places(event):
    return max(event.capacity - Registration.objects.filter(event=event).active().count(), 0)


def events_for(user):
    """Events the user may manage."""
    if not user.is_authenticated:
        return Event.objects.none()
    if user.has_role(Role.KOORDINATION):
        qs = Event.objects.all()
    elif user.has_role(Role.ORG_ADMIN) and user.organisation_id:
        qs = Event.objects.filter(organiser_id=user.organisation_id)
    else:
        return Event.objects.none()
    now = timezone.now()
    return qs.select_related("organiser").annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=Status.CONFIRMED)),
        pending=Count(
            "registrations", filter=Q(registrations__status=Status.PENDING, registrations__expires_at__gt=now)
        ),
        waitlist=Count("registrations", filter=Q(registrations__status=Status.WAITLIST)),
        checked_in=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
    )


def access_event(user, event_id):
    return get_scoped_or_404(events_for(user), pk=event_id)


def participants(user, event, *, status=None, profession=None, checked_in=None, search="", purpose="list"):
    """Registrations of an event the user manages, filtered; names are searched after decryption."""
    access_event(user, event.pk)
    qs = Registration.objects.filter(event=event).prefetch_related("workshops")
    if status:
        qs = qs.filter(status=status)
    if profession:
        qs = qs.filter(profession=profession)
    if checked_in is True:
        qs = qs.filter(checked_in_at__isnull=False)
    elif checked_in is False:
        qs = qs.filter(checked_in_at__isnull=True)
    rows = list(qs.order_by("created_at", "pk"))
    if search:
        from schutznetz.core.crypto import normalise_identity

        needle = normalise_identity(search)
        rows = [
            r
            for r in rows
            if all(tok in normalise_identity(r.name, r.organisation_name) for tok in needle.split())
        ]
    log_access(user, event, f"participants:{purpose}")
    return sorted(rows, key=lambda r: (r.status != Status.CONFIRMED, r.name.lower()))


def participant(user, event, registration_id):
    access_event(user, event.pk)
    return get_scoped_or_404(Registration.objects.filter(event=event), log_user=user, pk=registration_id)


def counts_by_profession(event):
    """{profession: (confirmed, checked in)} – from registrations, or the statistics kept after erasure."""
    if event.personal_data_erased_at:
        return {s.profession: (s.registered, s.attended) for s in event.statistics.all()}
    rows = (
        Registration.objects.filter(event=event)
        .values("profession")
        .annotate(
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
            attended=Count("pk", filter=Q(checked_in_at__isnull=False)),
        )
    )
    return {r["profession"]: (r["confirmed"], r["attended"]) for r in rows}
