"""Cancelling a meeting, mailing changes of an invited meeting (issue #7 follow-up)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from schutznetz.core.models import AuditEntry
from schutznetz.network import services
from schutznetz.network.models import Meeting
from schutznetz.network.tasks import send_meeting_invitation
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def _local(days, hour, minute=0):
    """A time in the network's local time, ``days`` from today (a summer or winter date alike)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)


def _event(mail):
    name, content, mimetype = mail.attachments[0]
    assert (name, mimetype) == ("sitzung.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


@pytest.fixture
def upcoming(partners, koordination):
    meeting = services.save_meeting(
        koordination,
        title="Plenum Herbst",
        working_group=None,
        starts_at=_local(20, 14),
        ends_at=_local(20, 16),
        location="Kreishaus Soest, Raum 101",
        invitation_text="Bitte bringen Sie die Fallzahlen mit.",
    )
    services.add_agenda_item(koordination, meeting, title="Begrüßung")
    # Two of the three partners have a functional address; the third cannot be mailed.
    services.save_partner_profile(None, partners[0], contact_email="jugendamt@example.org")
    services.save_partner_profile(None, partners[1], contact_email="polizei@example.org")
    return meeting


@pytest.fixture
def invited(upcoming, koordination, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(koordination, upcoming)
    upcoming.refresh_from_db()
    invitation_mails = list(mailoutbox)
    mailoutbox.clear()
    upcoming.invitation_mails = invitation_mails
    return upcoming


# --- Cancelling -----------------------------------------------------------------------------


def test_cancelling_an_invited_meeting_mails_every_invitee_a_cancel_ics(
    invited, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    invitation_event = _event(invited.invitation_mails[0])[1]
    before = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(koordination, invited, reason="  Die Referentin ist verhindert.  ")

    invited.refresh_from_db()
    assert invited.status == Meeting.Status.CANCELLED
    assert invited.cancellation_reason == "Die Referentin ist verhindert."
    assert invited.cancelled_at is not None
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-id").first().action == "meeting.cancel"

    # The same recipients as the invitation, one mail each.
    assert sorted(m.to for m in mailoutbox) == sorted(m.to for m in invited.invitation_mails)
    assert sorted(m.to[0] for m in mailoutbox) == ["jugendamt@example.org", "polizei@example.org"]
    for mail in mailoutbox:
        assert mail.subject == "Abgesagt: Plenum Herbst"
        assert "Grund: Die Referentin ist verhindert." in mail.body
        assert "ist abgesagt" in mail.body
        calendar, event = _event(mail)
        assert calendar["METHOD"] == "CANCEL"
        assert event["STATUS"] == "CANCELLED"
        assert str(event["UID"]) == str(invitation_event["UID"])
        assert event["SEQUENCE"] > invitation_event["SEQUENCE"]
        assert str(event["ATTENDEE"]) == f"mailto:{mail.to[0]}"
        assert str(event["ORGANIZER"]).startswith("mailto:")


def test_the_invitation_is_a_request_with_organizer_and_only_the_recipient_as_attendee(invited):
    for mail in invited.invitation_mails:
        calendar, event = _event(mail)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["ATTENDEE"]) == f"mailto:{mail.to[0]}"  # no other partner's address
        assert event["STATUS"] == "CONFIRMED"


def test_cancelling_a_meeting_not_yet_invited_sends_nothing(
    upcoming, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_meeting(koordination, upcoming, reason="Termin fällt aus.")
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.CANCELLED
    assert mailoutbox == []


def test_an_invitation_queued_before_the_cancellation_is_not_sent(
    upcoming, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    services.cancel_meeting(koordination, upcoming, reason="Termin fällt aus.")
    assert send_meeting_invitation.call(upcoming.pk) == 0
    assert mailoutbox == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(upcoming, koordination, reason):
    with pytest.raises(ValidationError) as excinfo:
        services.cancel_meeting(koordination, upcoming, reason=reason)
    assert "reason" in excinfo.value.message_dict
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.PLANNED


def test_held_or_cancelled_meetings_cannot_be_cancelled(upcoming, koordination):
    Meeting.objects.filter(pk=upcoming.pk).update(status=Meeting.Status.HELD)
    upcoming.refresh_from_db()
    with pytest.raises(ValidationError, match="durchgeführte"):
        services.cancel_meeting(koordination, upcoming, reason="zu spät")
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.HELD

    Meeting.objects.filter(pk=upcoming.pk).update(status=Meeting.Status.PLANNED)
    services.cancel_meeting(koordination, upcoming, reason="erster Grund")
    with pytest.raises(ValidationError, match="bereits abgesagt"):
        services.cancel_meeting(koordination, upcoming, reason="zweiter Grund")
    assert Meeting.objects.get(pk=upcoming.pk).cancellation_reason == "erster Grund"


def test_finalised_minutes_mean_held_and_not_cancellable(upcoming, koordination):
    services.save_minutes(koordination, upcoming, minutes="Verlauf")
    Meeting.objects.filter(pk=upcoming.pk).update(minutes_final_at=timezone.now())
    upcoming.refresh_from_db()
    with pytest.raises(ValidationError):
        services.cancel_meeting(koordination, upcoming, reason="x")


def test_a_cancelled_meeting_can_no_longer_be_edited_invited_or_get_minutes(upcoming, koordination, partners):
    services.cancel_meeting(koordination, upcoming, reason="Termin fällt aus.")
    meeting = Meeting.objects.get(pk=upcoming.pk)
    refused = [
        lambda: services.save_meeting(koordination, meeting, title="Neu", location="Rathaus"),
        lambda: services.send_invitation(koordination, meeting),
        lambda: services.add_agenda_item(koordination, meeting, title="Nachtrag"),
        lambda: services.remove_agenda_item(koordination, meeting.agenda_items.first()),
        lambda: services.set_attendances(koordination, meeting, {partners[0].pk: ("present", "")}),
        lambda: services.save_minutes(koordination, meeting, minutes="Verlauf"),
        lambda: services.finalise_minutes(koordination, meeting),
        lambda: services.add_decision(koordination, meeting, text="Beschluss"),
        lambda: services.add_task(koordination, meeting, title="Aufgabe", owner=partners[0]),
    ]
    for attempt in refused:
        with pytest.raises(ValidationError):
            attempt()
    meeting.refresh_from_db()
    assert (meeting.title, meeting.location, meeting.minutes) == (
        "Plenum Herbst",
        "Kreishaus Soest, Raum 101",
        "",
    )
    assert meeting.agenda_items.count() == 1
    assert not meeting.decisions.exists() and not meeting.tasks.exists()


def test_only_those_who_edit_meetings_may_cancel_them(upcoming, fachkraft, client):
    with pytest.raises(PermissionDenied):
        services.cancel_meeting(fachkraft, upcoming, reason="Ich kann nicht.")
    login(client, fachkraft)
    url = reverse("network:meeting_cancel", args=[upcoming.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Ich kann nicht."}).status_code == 403
    assert Meeting.objects.get(pk=upcoming.pk).status == Meeting.Status.PLANNED
    # Members see no cancel link on the meeting.
    assert url not in client.get(upcoming.get_absolute_url()).content.decode()


def test_cancelling_in_the_browser_and_how_it_is_shown(
    invited, koordination, fachkraft, client, mailoutbox, django_capture_on_commit_callbacks
):
    login(client, koordination)
    detail = client.get(invited.get_absolute_url()).content.decode()
    cancel_url = reverse("network:meeting_cancel", args=[invited.pk])
    assert cancel_url in detail

    page = client.get(cancel_url)
    assert page.status_code == 200
    # Three organisations are invited, two of them have an address to mail.
    assert "2 Ansprechstellen der eingeladenen Organisationen erhalten eine Absage" in page.content.decode()

    response = client.post(cancel_url, {"reason": "  "})
    assert response.status_code == 200
    assert "Grund der Absage" in response.content.decode()
    assert "Bitte geben Sie den Grund der Absage an" in response.content.decode()
    assert Meeting.objects.get(pk=invited.pk).status == Meeting.Status.INVITED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url, {"reason": "Die Referentin ist verhindert."})
    assert response.status_code == 302 and response["Location"] == invited.get_absolute_url()
    assert len(mailoutbox) == 2

    detail = client.get(invited.get_absolute_url()).content.decode()
    assert "Diese Sitzung ist abgesagt." in detail and "Die Referentin ist verhindert." in detail
    for gone in (
        reverse("network:meeting_edit", args=[invited.pk]),
        cancel_url,
        reverse("network:meeting_invite", args=[invited.pk]),
        reverse("network:agenda_add", args=[invited.pk]),
        reverse("network:attendance_save", args=[invited.pk]),
        reverse("network:minutes", args=[invited.pk]),
    ):
        assert gone not in detail
    listing = client.get(reverse("network:meeting_list")).content.decode()
    assert "abgesagt" in listing and "Die Referentin ist verhindert." in listing

    # The edit form and the cancel form lead back with a message instead.
    response = client.get(reverse("network:meeting_edit", args=[invited.pk]), follow=True)
    assert "kann nicht mehr geändert werden" in response.content.decode()
    response = client.get(cancel_url, follow=True)
    assert "bereits abgesagt" in response.content.decode()
    response = client.post(
        reverse("network:minutes", args=[invited.pk]),
        {"action": "minutes", "minutes-minutes": "Verlauf"},
        follow=True,
    )
    assert "es gibt kein Protokoll" in response.content.decode()
    assert Meeting.objects.get(pk=invited.pk).minutes == ""

    # Every member reads why it was cancelled.
    client.logout()
    login(client, fachkraft)
    detail = client.get(invited.get_absolute_url()).content.decode()
    assert "Die Referentin ist verhindert." in detail
    assert reverse("network:meeting_ics", args=[invited.pk]) in detail


def test_the_calendar_download_of_a_cancelled_meeting_says_cancelled(invited, koordination, client):
    services.cancel_meeting(koordination, invited, reason="Termin fällt aus.")
    login(client, koordination)
    content = client.get(reverse("network:meeting_ics", args=[invited.pk])).content
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event["STATUS"] == "CANCELLED"
    assert "Termin fällt aus." in str(event["DESCRIPTION"])


# --- Changes of an invited meeting ----------------------------------------------------------


def _save(koordination, meeting, notify=False, **changes):
    data = {**{field: getattr(meeting, field) for field in services.MEETING_FIELDS}, **changes}
    return services.save_meeting(koordination, meeting, notify=notify, **data)


def test_a_new_time_and_place_mails_an_update_with_old_and_new_in_local_time(
    invited, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    invitation_event = _event(invited.invitation_mails[0])[1]
    with django_capture_on_commit_callbacks(execute=True):
        _save(
            koordination,
            invited,
            starts_at=_local(21, 9, 30),
            ends_at=_local(21, 12),
            location="Rathaus Lippstadt",
        )
    assert sorted(m.to[0] for m in mailoutbox) == ["jugendamt@example.org", "polizei@example.org"]
    old_day = _local(20, 14).strftime("%d.%m.%Y")
    new_day = _local(21, 9).strftime("%d.%m.%Y")
    for mail in mailoutbox:
        assert mail.subject == "Geändert: Plenum Herbst"
        assert f"{old_day}, 14:00 Uhr → " in mail.body and f"{new_day}, 09:30 Uhr" in mail.body
        assert "Ende: " in mail.body and f"{old_day}, 16:00 Uhr → " in mail.body
        assert "Ort: Kreishaus Soest, Raum 101 → Rathaus Lippstadt" in mail.body
        assert "Titel:" not in mail.body
        calendar, event = _event(mail)
        assert calendar["METHOD"] == "REQUEST"
        assert str(event["UID"]) == str(invitation_event["UID"])
        assert event["SEQUENCE"] > invitation_event["SEQUENCE"]
        assert event.decoded("DTSTART") == _local(21, 9, 30)
        assert str(event["LOCATION"]) == "Rathaus Lippstadt"


def test_other_changes_are_mailed_only_when_the_editor_asks(
    invited, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _save(koordination, invited, title="Plenum Herbst 2026")
    assert mailoutbox == []
    meeting = Meeting.objects.get(pk=invited.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _save(koordination, meeting, notify=True, title="Plenum im Herbst", invitation_text="Neuer Text.")
    assert len(mailoutbox) == 2
    body = mailoutbox[0].body
    assert "Titel: Plenum Herbst 2026 → Plenum im Herbst" in body
    assert "Der Einladungstext wurde geändert" in body and "Neuer Text." in body
    assert "Beginn:" not in body


def test_nothing_is_mailed_without_a_change_or_before_the_invitation(
    invited, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = Meeting.objects.get(pk=invited.pk)
    with django_capture_on_commit_callbacks(execute=True):
        _save(koordination, meeting, notify=True)  # ticked, but nothing changed
    assert mailoutbox == []
    planned = services.save_meeting(
        koordination, title="AK-Treffen", starts_at=_local(30, 10), ends_at=_local(30, 11), location="Soest"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _save(koordination, planned, location="Werl", starts_at=_local(31, 10), ends_at=_local(31, 11))
    assert mailoutbox == []


def test_the_edit_form_offers_the_checkbox_once_invited_and_says_the_update_goes_out(
    upcoming, koordination, client, mailoutbox, django_capture_on_commit_callbacks
):
    login(client, koordination)
    url = reverse("network:meeting_edit", args=[upcoming.pk])
    assert "Teilnehmende über die Änderung informieren" not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(koordination, upcoming)
    mailoutbox.clear()
    assert "Teilnehmende über die Änderung informieren" in client.get(url).content.decode()
    post = {
        "title": "Plenum Herbst (neu)",
        "working_group": "",
        "starts_at": _local(20, 14).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": _local(20, 16).strftime("%Y-%m-%dT%H:%M"),
        "location": "Kreishaus Soest, Raum 101",
        "invitation_text": "Bitte bringen Sie die Fallzahlen mit.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, post, follow=True)
    assert response.status_code == 200 and mailoutbox == []
    assert "neuen Kalenderdatei" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {**post, "title": "Plenum Herbst", "notify": "on"}, follow=True)
    assert len(mailoutbox) == 2
    assert "Titel: Plenum Herbst (neu) → Plenum Herbst" in mailoutbox[0].body
    assert "erhalten die Änderung mit einer neuen Kalenderdatei" in response.content.decode()
    audit = AuditEntry.objects.order_by("-id").first()
    assert audit.action == "meeting.update"


# --- Changing the invitation list after the invitation -----------------------------------------


def test_an_organisation_added_after_the_invitation_gets_it_and_one_taken_off_loses_the_entry(
    invited, partners, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    from schutznetz.testing.factories import make_organisation

    beratung = make_organisation("Frauenberatung Nachtrag")
    services.save_partner_profile(None, beratung, contact_email="beratung@example.org")
    assert set(invited.attendances.values_list("organisation_id", flat=True)) == {p.pk for p in partners}
    with django_capture_on_commit_callbacks(execute=True):
        services.save_meeting(
            koordination,
            invited,
            invited_organisations=[partners[0], partners[2], beratung],
            title=invited.title,
        )

    by_address = {mail.to[0]: mail for mail in mailoutbox}
    # Only the two whose invitation changed are mailed; the others hear nothing new.
    assert set(by_address) == {"beratung@example.org", "polizei@example.org"}

    added = by_address["beratung@example.org"]
    assert added.subject == "Einladung: Plenum Herbst"
    calendar, event = _event(added)
    assert calendar["method"] == "REQUEST" and event["status"] == "CONFIRMED"

    removed = by_address["polizei@example.org"]
    assert removed.subject == "Einladung zurückgenommen: Plenum Herbst"
    assert "nicht mehr eingeladen" in removed.body and "findet statt" in removed.body
    calendar, event = _event(removed)
    first = _event(invited.invitation_mails[0])[1]
    assert calendar["method"] == "CANCEL" and event["status"] == "CANCELLED"
    assert event["uid"] == first["uid"]
    assert "polizei@example.org" in str(event["attendee"])


def test_list_changes_before_the_invitation_mail_nobody(
    upcoming, partners, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_meeting(
            koordination, upcoming, invited_organisations=partners[:1], title=upcoming.title
        )
    assert mailoutbox == []


def test_a_withdrawal_waiting_in_the_queue_is_not_sent_to_an_organisation_invited_again(
    invited, partners, koordination, mailoutbox
):
    from schutznetz.network.tasks import send_invitation_withdrawn

    # Taken off and put back before the worker got to the mail: the entry stays.
    assert send_invitation_withdrawn.call(invited.pk, [partners[1].pk]) == 0
    assert mailoutbox == []
