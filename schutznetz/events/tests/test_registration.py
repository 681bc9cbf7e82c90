"""Capacity, waiting list, double opt-in, expiry, promotion – through the services and the mails."""

from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar

from schutznetz.core.models import AuditEntry
from schutznetz.events import services
from schutznetz.events.models import ItemKind, Registration, Status, token_for
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db


def register(event, number, **extra):
    return services.register(event.pk, **registration_data(number, **extra))


def link_from(message, marker):
    for line in message.body.splitlines():
        if marker in line and line.strip().startswith("http"):
            return line.strip()
    raise AssertionError(f"kein Link mit {marker!r} in der Mail")


def test_places_are_held_then_waiting_list(event):
    first, second, third = (register(event, n) for n in (1, 2, 3))
    assert [first.outcome, second.outcome, third.outcome] == ["place", "place", "waitlist"]
    assert third.registration.status == Status.WAITLIST
    assert services.places_taken(event) == 2
    # Each person gets a mail with a confirmation link; the waiting-list one says so.
    assert len(django_mail.outbox) == 3
    assert "Warteliste" in django_mail.outbox[2].body
    assert "/bestaetigen/" in django_mail.outbox[0].body


def test_confirmation_counts_and_sends_ics(event):
    result = register(event, 1)
    registration = services.confirm(result.registration.pk)
    assert registration.status == Status.CONFIRMED
    assert registration.email_confirmed_at is not None
    confirmation = django_mail.outbox[-1]
    assert "bestätigt" in confirmation.subject
    name, content, mimetype = confirmation.attachments[0]
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == event.title
    assert vevent.decoded("dtstart") == event.starts_at
    # Every mail carries the personal link.
    for message in django_mail.outbox:
        assert "/veranstaltungen/anmeldung/" in message.body


def test_unconfirmed_registration_expires_and_releases_its_place(event):
    now = timezone.now()
    first = register(event, 1).registration
    register(event, 2)
    waiting = register(event, 3).registration
    services.confirm(waiting.pk)  # on the list with a confirmed address
    assert Registration.objects.get(pk=waiting.pk).status == Status.WAITLIST
    # 25 hours later a new registration expires the first one lazily, and the line moves up.
    later = now + timedelta(hours=25)
    services.register(event.pk, **registration_data(4), now=later)
    assert Registration.objects.get(pk=first.pk).status == Status.EXPIRED
    # The waiting person (confirmed) got a place; the 2nd pending one expired too.
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED
    assert "Platz ist frei geworden" in django_mail.outbox[-2].subject or any(
        "Platz ist frei geworden" in m.subject for m in django_mail.outbox
    )


def test_expire_command_releases_places_without_traffic(event, monkeypatch):
    pending = register(event, 1).registration
    register(event, 2)
    waiting = register(event, 3).registration
    services.confirm(waiting.pk)
    Registration.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("expire_registrations")
    assert Registration.objects.get(pk=pending.pk).status == Status.EXPIRED
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED


def test_expired_link_cannot_confirm(event):
    registration = register(event, 1).registration
    Registration.objects.filter(pk=registration.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    registration = services.confirm(registration.pk)
    assert registration.status == Status.EXPIRED


def test_cancel_promotes_first_confirmed_on_waiting_list(event):
    a, b = (services.confirm(register(event, n).registration.pk) for n in (1, 2))
    unconfirmed_waiting = register(event, 3).registration
    confirmed_waiting = services.confirm(register(event, 4).registration.pk)
    later_waiting = services.confirm(register(event, 5).registration.pk)
    assert confirmed_waiting.status == Status.WAITLIST
    django_mail.outbox.clear()
    _cancelled, promoted = services.cancel(a.pk)
    assert [p.pk for p in promoted] == [confirmed_waiting.pk]
    assert Registration.objects.get(pk=confirmed_waiting.pk).status == Status.CONFIRMED
    # Unconfirmed addresses are skipped; the later person still waits.
    assert Registration.objects.get(pk=unconfirmed_waiting.pk).status == Status.WAITLIST
    assert Registration.objects.get(pk=later_waiting.pk).status == Status.WAITLIST
    recipients = {m.to[0]: m for m in django_mail.outbox}
    promoted_mail = recipients["person4@example.org"]
    assert "Platz ist frei geworden" in promoted_mail.subject
    assert promoted_mail.attachments and promoted_mail.attachments[0][0].endswith(".ics")
    assert "Abmeldung" in recipients["person1@example.org"].subject
    assert services.places_taken(event) == 2
    assert b.status == Status.CONFIRMED


def test_workshop_capacity_is_enforced(make_event):
    event = make_event(capacity=10, workshops=[1, 5])
    small, large = event.programme.filter(kind=ItemKind.WORKSHOP).order_by("title")
    register(event, 1, workshop_ids=[small.pk])
    with pytest.raises(ValidationError) as excinfo:
        register(event, 2, workshop_ids=[small.pk])
    assert "ausgebucht" in str(excinfo.value.message_dict["workshops"])
    assert Registration.objects.filter(event=event).count() == 1  # nothing written
    assert register(event, 3, workshop_ids=[large.pk]).outcome == "place"


def test_simultaneous_workshops_cannot_both_be_chosen(make_event):
    event = make_event(capacity=10, workshops=[5, 5])
    first, second = event.programme.filter(kind=ItemKind.WORKSHOP)
    with pytest.raises(ValidationError) as excinfo:
        register(event, 1, workshop_ids=[first.pk, second.pk])
    assert "gleichzeitig" in str(excinfo.value)


def test_workshop_of_other_event_is_rejected(make_event):
    event = make_event(capacity=10)
    other = make_event(capacity=10, workshops=[5])
    foreign = other.programme.get(kind=ItemKind.WORKSHOP)
    with pytest.raises(ValidationError):
        register(event, 1, workshop_ids=[foreign.pk])


def test_promotion_drops_full_workshops(make_event):
    event = make_event(capacity=2, workshops=[1])
    workshop = event.programme.get(kind=ItemKind.WORKSHOP)
    services.confirm(register(event, 1, workshop_ids=[workshop.pk]).registration.pk)
    leaving = services.confirm(register(event, 2).registration.pk)
    # On the waiting list the wish is kept, even though the workshop is full.
    waiting = services.confirm(register(event, 3, workshop_ids=[workshop.pk]).registration.pk)
    assert waiting.status == Status.WAITLIST
    services.cancel(leaving.pk)
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED
    assert list(waiting.workshops.all()) == []
    promoted_mail = next(
        m for m in django_mail.outbox if m.to == ["person3@example.org"] and "frei" in m.subject
    )
    assert "Workshop A" in promoted_mail.body


def test_duplicate_address_gets_fresh_link_not_second_place(event):
    first = register(event, 1).registration
    old_token = first.token
    again = register(event, 1, name="Person Eins")
    assert again.outcome == "existing"
    assert Registration.objects.filter(event=event).count() == 1
    assert services.registration_for_token(old_token) is None
    assert services.registration_for_token(Registration.objects.get().token).pk == first.pk


def test_token_is_not_stored(event):
    registration = register(event, 1).registration
    row = Registration.objects.filter(pk=registration.pk).values().get()
    assert registration.token not in {str(v) for v in row.values()}
    assert token_for(row["nonce"]) == registration.token  # derivable only with SECRET_KEY


def test_registration_closed_or_unconsented(make_event):
    event = make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError):
        register(event, 1)
    open_event = make_event()
    with pytest.raises(ValidationError) as excinfo:
        register(open_event, 1, privacy_consent=False)
    assert "privacy_consent" in excinfo.value.message_dict


def test_update_registration_changes_details_and_workshops(make_event):
    event = make_event(capacity=5, workshops=[1, 3])
    a, b = event.programme.filter(kind=ItemKind.WORKSHOP).order_by("title")
    register(event, 9, workshop_ids=[a.pk])  # fills workshop A
    registration = register(event, 1, workshop_ids=[b.pk]).registration
    with pytest.raises(ValidationError):
        services.update_registration(
            registration.pk, name="Neu", organisation_name="", profession="polizei",
            accessibility_needs="", workshop_ids=[a.pk],
        )  # fmt: skip
    updated = services.update_registration(
        registration.pk, name="Neuer Name", organisation_name="Polizei", profession="polizei",
        accessibility_needs="Rollstuhl", workshop_ids=[],
    )  # fmt: skip
    updated.refresh_from_db()
    assert (updated.name, updated.profession, list(updated.workshops.all())) == ("Neuer Name", "polizei", [])
    assert AuditEntry.objects.filter(action="event.registration_update").count() == 1


def test_reminder_two_days_before_once(make_event):
    soon = make_event(days_ahead=1)
    later = make_event(days_ahead=10)
    services.confirm(register(soon, 1).registration.pk)
    services.confirm(register(later, 2).registration.pk)
    register(soon, 3)  # unconfirmed: no reminder
    django_mail.outbox.clear()
    call_command("send_event_reminders")
    assert [m.to for m in django_mail.outbox] == [["person1@example.org"]]
    assert "Erinnerung" in django_mail.outbox[0].subject
    assert "/veranstaltungen/anmeldung/" in django_mail.outbox[0].body
    call_command("send_event_reminders")
    assert len(django_mail.outbox) == 1


def test_names_are_encrypted_at_rest(event):
    from django.db import connection

    register(event, 1, name="Gesine Unverwechselbar", accessibility_needs="Gebärdensprache")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, email, accessibility_needs FROM events_registration")
        row = cursor.fetchone()
    assert "Unverwechselbar" not in row[0]
    assert "example.org" not in row[1]
    assert "Gebärden" not in row[2]


def test_every_write_is_audited(event):
    before = AuditEntry.objects.count()
    registration = register(event, 1).registration
    services.confirm(registration.pk)
    services.cancel(registration.pk)
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True)[before:])
    assert actions == ["event.registration_create", "event.registration_confirm", "event.registration_cancel"]


def test_raising_capacity_promotes_the_waiting_list(make_event, koordination):
    event = make_event(capacity=1)
    services.confirm(register(event, 1).registration.pk)
    waiting = services.confirm(register(event, 2).registration.pk)
    assert waiting.status == Status.WAITLIST
    event.capacity = 2
    event.save(update_fields=["capacity"])
    promoted = services.fill_free_places(koordination, event.pk)
    assert [p.pk for p in promoted] == [waiting.pk]
    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED
