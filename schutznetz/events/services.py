"""Every write to events and registrations: one transaction, one audit entry.

Capacity is checked and the registration written in the same transaction,
after locking the event row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
every transaction is ``BEGIN IMMEDIATE``, which serialises writers). Unconfirmed
registrations past their 24 hours are expired in that same transaction, so a
place is released even when the ``expire_registrations`` job has not run.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from schutznetz.core.access_log import log_access
from schutznetz.core.crypto import blind_index
from schutznetz.core.services import changed, record_audit, service
from schutznetz.events import mail
from schutznetz.events.models import (
    CONFIRMATION_WINDOW,
    Event,
    EventStatistic,
    ItemKind,
    Profession,
    ProgrammeItem,
    Registration,
    Status,
    sha256,
)

EMAIL_INDEX_PURPOSE = "events.registration-email"


def email_index(email):
    return blind_index(email.strip().lower(), purpose=EMAIL_INDEX_PURPOSE)


def _lock_event(event_id):
    """The event row, locked until the transaction ends (serialises bookings of one event)."""
    return Event.objects.select_for_update().get(pk=event_id)


def _expire_stale(event, now):
    """Expire unconfirmed registrations past their window; returns how many."""
    stale = list(Registration.objects.filter(event=event).stale(now).values_list("pk", flat=True))
    if stale:
        Registration.objects.filter(pk__in=stale).update(status=Status.EXPIRED, expires_at=None)
        record_audit(None, "event.registrations_expire", event, ["status"])
    return len(stale)


def _release_stale(event, now):
    """Lazy expiry: stale registrations give their places to the waiting list before anyone new."""
    if _expire_stale(event, now):
        _fill_free_places(event, now)


def _workshop_load(event, now, exclude_registration=None):
    """{workshop id: active registrations choosing it}."""
    active = Registration.objects.filter(event=event).active(now)
    if exclude_registration is not None:
        active = active.exclude(pk=exclude_registration.pk)
    rows = (
        ProgrammeItem.objects.filter(event=event, kind=ItemKind.WORKSHOP)
        .annotate(taken=Count("registrations", filter=Q(registrations__in=active)))
        .values_list("pk", "taken")
    )
    return dict(rows)


def _full_workshops(workshops, load):
    return [w for w in workshops if w.capacity is not None and load.get(w.pk, 0) >= w.capacity]


def _validate_workshops(event, workshops):
    workshops = list(workshops)
    for workshop in workshops:
        if workshop.event_id != event.pk or workshop.kind != ItemKind.WORKSHOP:
            raise ValidationError({"workshops": _("Dieser Workshop gehört nicht zu dieser Veranstaltung.")})
    # Two workshops at the same time cannot both be attended.
    for i, first in enumerate(workshops):
        for second in workshops[i + 1 :]:
            if first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                raise ValidationError(
                    {
                        "workshops": _("Die Workshops „%(a)s“ und „%(b)s“ finden gleichzeitig statt.")
                        % {"a": first.title, "b": second.title}
                    }
                )
    return workshops


def _workshop_full_error(full):
    return ValidationError(
        {
            "workshops": _("Der Workshop „%(title)s“ ist leider ausgebucht. Bitte wählen Sie einen anderen.")
            % {"title": full[0].title}
        }
    )


def places_taken(event, now=None):
    return Registration.objects.filter(event=event).active(now).count()


def _fill_free_places(event, now):
    """Promote the first people on the waiting list (with a confirmed address) into free places."""
    promoted = []
    if now >= event.starts_at:
        # Once the day has begun, nobody is told "a place is free, you are registered".
        return promoted
    free = event.capacity - places_taken(event, now)
    if free <= 0:
        return promoted
    candidates = (
        Registration.objects.filter(event=event, status=Status.WAITLIST, email_confirmed_at__isnull=False)
        .order_by("created_at", "pk")
        .prefetch_related("workshops")[:free]
    )
    for registration in candidates:
        load = _workshop_load(event, now)
        dropped = _full_workshops(registration.workshops.all(), load)
        if dropped:
            registration.workshops.remove(*dropped)
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.expires_at = None
        registration.save(update_fields=["status", "confirmed_at", "expires_at"])
        record_audit(None, "event.registration_promote", registration, ["status"])
        mail.send(registration, mail.PROMOTED, dropped_workshops=[w.title for w in dropped])
        promoted.append(registration)
    return promoted


@dataclass
class RegistrationResult:
    registration: Registration | None
    # "place", "waitlist" or "existing" (same page for all three: nothing to enumerate).
    outcome: str


@service
def register(
    event_id,
    *,
    name,
    email,
    profession,
    privacy_consent,
    organisation_name="",
    accessibility_needs="",
    workshop_ids=(),
    language=None,
    now=None,
):
    """A public registration: a place held for 24 hours until the e-mail link is confirmed, or the waiting list."""
    now = now or timezone.now()
    event = _lock_event(event_id)
    if not event.registration_is_open(now):
        raise ValidationError(_("Für diese Veranstaltung ist keine Anmeldung (mehr) möglich."))
    if not privacy_consent:
        raise ValidationError({"privacy_consent": _("Bitte stimmen Sie der Datenschutzerklärung zu.")})
    if profession not in Profession.values:
        raise ValidationError({"profession": _("Bitte wählen Sie ein Berufsfeld aus der Liste.")})
    workshops = _validate_workshops(event, ProgrammeItem.objects.filter(pk__in=list(workshop_ids)))
    if len(workshops) != len(set(workshop_ids)):
        raise ValidationError({"workshops": _("Dieser Workshop gehört nicht zu dieser Veranstaltung.")})
    _release_stale(event, now)
    index = email_index(email)
    language = _mail_language(language)

    existing = (
        Registration.objects.filter(event=event, email_index=index)
        .exclude(status__in=[Status.CANCELLED, Status.EXPIRED])
        .first()
    )
    if existing is not None:
        # Same answer as a new registration (no enumeration); the address gets a fresh link.
        existing.set_new_link()
        existing.language = language
        existing.save(update_fields=["nonce", "token_hash", "ticket_hash", "language"])
        record_audit(None, "event.registration_resend", existing, ["nonce"])
        mail.send(existing, mail.EXISTING)
        return RegistrationResult(existing, "existing")

    has_place = places_taken(event, now) < event.capacity
    if has_place:
        full = _full_workshops(workshops, _workshop_load(event, now))
        if full:
            raise _workshop_full_error(full)
    registration = Registration(
        event=event,
        status=Status.PENDING if has_place else Status.WAITLIST,
        name=name.strip(),
        email=email.strip(),
        email_index=index,
        organisation_name=organisation_name.strip(),
        profession=profession,
        accessibility_needs=accessibility_needs.strip(),
        privacy_consent_at=now,
        language=language,
        created_at=now,
        expires_at=now + CONFIRMATION_WINDOW,
    )
    registration.set_new_link()
    registration.save(force_insert=True)
    if workshops:
        registration.workshops.set(workshops)
    record_audit(None, "event.registration_create", registration, ["status", "name", "email", "profession"])
    mail.send(registration, mail.PLEASE_CONFIRM)
    return RegistrationResult(registration, "place" if has_place else "waitlist")


def _mail_language(language):
    """A language the site offers (the one of the page the person used), else the source language."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    offered = [code for code, _name in settings.LANGUAGES]
    if language in offered:
        return language
    base = language.split("-", 1)[0]
    return base if base in offered else settings.LANGUAGE_CODE


def registration_for_token(token):
    """The registration a personal link belongs to, or None (compared by hash, not by the token)."""
    if not token or len(token) > 100:
        return None
    return Registration.objects.select_related("event").filter(token_hash=sha256(token)).first()


@service
def confirm(registration_id, now=None):
    """The e-mail link was followed: a held place becomes confirmed; a waiting-list entry stays in line."""
    now = now or timezone.now()
    registration = Registration.objects.get(pk=registration_id)
    event = _lock_event(registration.event_id)
    _release_stale(event, now)
    registration.refresh_from_db()
    if registration.status in (Status.CANCELLED, Status.EXPIRED):
        return registration
    if registration.email_confirmed_at is not None:
        return registration
    registration.email_confirmed_at = now
    fields = ["email_confirmed_at"]
    if registration.status == Status.PENDING:
        registration.status = Status.CONFIRMED
        registration.confirmed_at = now
        registration.expires_at = None
        fields += ["status", "confirmed_at", "expires_at"]
    registration.save(update_fields=fields)
    record_audit(None, "event.registration_confirm", registration, fields)
    if registration.status == Status.CONFIRMED:
        mail.send(registration, mail.CONFIRMED)
    else:
        mail.send(registration, mail.WAITLIST_CONFIRMED)
        # A place may have become free meanwhile; the line decides who gets it.
        _fill_free_places(event, now)
        registration.refresh_from_db()
    return registration


@service
def cancel(registration_id, actor=None, now=None):
    """Cancel (by the person through the link, or by staff); the next on the waiting list moves up."""
    now = now or timezone.now()
    registration = Registration.objects.get(pk=registration_id)
    event = _lock_event(registration.event_id)
    registration.refresh_from_db()
    if registration.status in (Status.CANCELLED, Status.EXPIRED):
        return registration, []
    if registration.checked_in_at:
        raise ValidationError(_("Nach dem Einchecken kann die Anmeldung nicht mehr storniert werden."))
    had_place = registration.holds_place(now)
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "expires_at"])
    record_audit(actor, "event.registration_cancel", registration, ["status"])
    mail.send(registration, mail.CANCELLED, by_staff=actor is not None, had_place=had_place)
    _expire_stale(event, now)
    promoted = _fill_free_places(event, now)
    return registration, promoted


@service
def update_registration(
    registration_id, *, name, organisation_name, profession, accessibility_needs, workshop_ids, now=None
):
    """The person changes their details or workshop choice through the personal link."""
    now = now or timezone.now()
    registration = Registration.objects.get(pk=registration_id)
    event = _lock_event(registration.event_id)
    registration.refresh_from_db()
    if registration.status in (Status.CANCELLED, Status.EXPIRED):
        raise ValidationError(_("Diese Anmeldung ist nicht mehr gültig."))
    if now >= event.starts_at:
        raise ValidationError(_("Die Veranstaltung hat begonnen; Änderungen sind nicht mehr möglich."))
    if profession not in Profession.values:
        raise ValidationError({"profession": _("Bitte wählen Sie ein Berufsfeld aus der Liste.")})
    _release_stale(event, now)
    workshops = _validate_workshops(event, ProgrammeItem.objects.filter(pk__in=list(workshop_ids)))
    current = set(registration.workshops.values_list("pk", flat=True))
    added = [w for w in workshops if w.pk not in current]
    if added and registration.holds_place(now):
        full = _full_workshops(added, _workshop_load(event, now, exclude_registration=registration))
        if full:
            raise _workshop_full_error(full)
    fields = changed(
        registration,
        {
            "name": name.strip(),
            "organisation_name": organisation_name.strip(),
            "profession": profession,
            "accessibility_needs": accessibility_needs.strip(),
        },
    )
    if fields:
        registration.save(update_fields=fields)
    if {w.pk for w in workshops} != current:
        registration.workshops.set(workshops)
        fields.append("workshops")
    if fields:
        record_audit(None, "event.registration_update", registration, fields)
    return registration


@service
def expire_registrations(now=None):
    """Expire stale unconfirmed registrations of all upcoming events and fill the freed places."""
    now = now or timezone.now()
    expired = promoted = 0
    event_ids = (
        Registration.objects.stale(now).values_list("event_id", flat=True).distinct().order_by("event_id")
    )
    for event_id in list(event_ids):
        event = _lock_event(event_id)
        expired += _expire_stale(event, now)
        promoted += len(_fill_free_places(event, now))
    return expired, promoted


REMINDER_LEAD = CONFIRMATION_WINDOW * 2  # two days


@service
def send_reminders(now=None):
    """Remind confirmed participants of events starting within the next two days (once)."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__starts_at__gt=now,
        event__starts_at__lte=now + REMINDER_LEAD,
    ).select_related("event")
    count = 0
    for registration in due:
        registration.reminder_sent_at = now
        registration.save(update_fields=["reminder_sent_at"])
        mail.send(registration, mail.REMINDER)
        count += 1
    if count:
        record_audit(None, "event.reminders_send", ("events.registration", "*"), ["reminder_sent_at"])
    return count


# --- Staff ----------------------------------------------------------------


@service
def fill_free_places(actor, event_id, now=None):
    """After staff raised the capacity: the waiting list moves up at once."""
    now = now or timezone.now()
    event = _lock_event(event_id)
    _expire_stale(event, now)
    promoted = _fill_free_places(event, now)
    if promoted:
        record_audit(actor, "event.waitlist_promote", event, ["capacity"])
    return promoted


def _require_manage(actor, event):
    if not actor.has_perm("events.manage_event", event):
        raise PermissionDenied(_("Sie dürfen diese Veranstaltung nicht verwalten."))


def parse_ticket_code(text):
    """The code from what a scanner typed: the bare code or the URL printed in the QR code."""
    text = (text or "").strip()
    if "ticket=" in text:
        text = text.split("ticket=", 1)[1].split("&", 1)[0]
    return text.strip().strip("/").rsplit("/", 1)[-1].upper()[:40]


@dataclass
class CheckInResult:
    registration: Registration | None
    ok: bool
    message: str


@service
def check_in(actor, event, *, registration_id=None, ticket_code=None, now=None):
    """Check a participant in, once. A second attempt reports when the ticket was used."""
    _require_manage(actor, event)
    now = now or timezone.now()
    qs = Registration.objects.select_for_update().filter(event=event)
    if ticket_code is not None:
        code = parse_ticket_code(ticket_code)
        registration = qs.filter(ticket_hash=sha256(code)).first() if code else None
        if registration is None:
            return CheckInResult(None, False, _("Dieses Ticket gehört nicht zu dieser Veranstaltung."))
    else:
        registration = qs.filter(pk=registration_id).first()
        if registration is None:
            return CheckInResult(None, False, _("Diese Anmeldung gibt es nicht."))
    # Every outcome below shows the person's name at the desk: a read of their registration.
    log_access(actor, registration, "check-in")
    if registration.checked_in_at:
        when = timezone.localtime(registration.checked_in_at)
        return CheckInResult(
            registration,
            False,
            _("%(name)s ist bereits eingecheckt: am %(date)s um %(time)s Uhr.")
            % {"name": registration.name, "date": when.strftime("%d.%m.%Y"), "time": when.strftime("%H:%M")},
        )
    if registration.status != Status.CONFIRMED:
        return CheckInResult(
            registration,
            False,
            _("%(name)s hat keinen bestätigten Platz (%(status)s).")
            % {"name": registration.name, "status": registration.get_status_display()},
        )
    registration.checked_in_at = now
    registration.checked_in_by = actor
    registration.save(update_fields=["checked_in_at", "checked_in_by"])
    record_audit(actor, "event.registration_check_in", registration, ["checked_in_at"])
    return CheckInResult(registration, True, _("%(name)s ist eingecheckt.") % {"name": registration.name})


@service
def mail_participants(actor, event, *, subject, body):
    """A message from staff to everyone with a confirmed place."""
    _require_manage(actor, event)
    # A line break in a header would make the mail unsendable (or inject headers): one line only.
    subject, body = " ".join(subject.split()), body.strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Bitte geben Sie einen Betreff ein.")
    if not body:
        errors["body"] = _("Bitte geben Sie einen Text ein.")
    if errors:
        raise ValidationError(errors)
    recipients = list(Registration.objects.filter(event=event, status=Status.CONFIRMED))
    for registration in recipients:
        mail.send(registration, mail.MESSAGE, subject=subject, message=body)
    record_audit(actor, "event.participants_mail", event, ["subject", "body"])
    return len(recipients)


# --- Retention ------------------------------------------------------------


def retention_days():
    return int(getattr(settings, "SCHUTZNETZ_EVENT_RETENTION_DAYS", 90))


def retention_cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=retention_days())


def erase_participants(event, now=None):
    """Keep counts by profession and attendance, erase every registration of the event."""
    now = now or timezone.now()
    counts = {}
    for profession, status, checked_in in Registration.objects.filter(event=event).values_list(
        "profession", "status", "checked_in_at"
    ):
        row = counts.setdefault(profession, [0, 0])
        if status == Status.CONFIRMED:
            row[0] += 1
        if checked_in is not None:
            row[1] += 1
    for profession, (registered, attended) in counts.items():
        EventStatistic.objects.update_or_create(
            event=event, profession=profession, defaults={"registered": registered, "attended": attended}
        )
    deleted = Registration.objects.filter(event=event).count()
    Registration.objects.filter(event=event).delete()
    event.personal_data_erased_at = now
    event.save(update_fields=["personal_data_erased_at"])
    record_audit(None, "event.participants_erase", event, ["registrations"])
    return deleted
