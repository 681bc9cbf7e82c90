import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from schutznetz.network import queries, services
from schutznetz.network.models import Attendance, Meeting, Task
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db


def _at(days, hour=14):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def meeting(partners, koordination):
    return services.save_meeting(
        koordination,
        title="Plenum Frühjahr",
        working_group=None,
        starts_at=_at(-10),
        ends_at=_at(-10, 16),
        location="Kreishaus",
    )


def test_new_meeting_invites_all_active_partners(meeting, partners):
    assert {a.organisation_id for a in meeting.attendances.all()} == {o.pk for o in partners}
    assert all(a.status == Attendance.Status.INVITED for a in meeting.attendances.all())


def test_meeting_end_must_follow_start(koordination, partners):
    with pytest.raises(ValidationError) as excinfo:
        services.save_meeting(koordination, title="x", starts_at=_at(1, 16), ends_at=_at(1, 14), location="y")
    assert "ends_at" in excinfo.value.message_dict
    assert not Meeting.objects.exists()


def test_invitation_needs_agenda_and_mails_partners_with_ics(
    meeting, partners, koordination, mailoutbox, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.send_invitation(koordination, meeting)
    services.add_agenda_item(koordination, meeting, title="Begrüßung")
    services.add_agenda_item(koordination, meeting, title="Fachtag")
    services.save_partner_profile(None, partners[0], contact_email="ja@example.org")
    services.save_partner_profile(None, partners[1], contact_email="pol@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_invitation(koordination, meeting)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.INVITED
    assert sorted(m.to[0] for m in mailoutbox) == ["ja@example.org", "pol@example.org"]  # one mail each
    mail = mailoutbox[0]
    assert "TOP 2: Fachtag" in mail.body
    name, content, mimetype = mail.attachments[0]
    assert (
        mimetype == "text/calendar"
        and Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == "Plenum Frühjahr"
    )


def test_meeting_workflow_minutes_decisions_tasks_carried_to_next_agenda(
    meeting, partners, koordination, client
):
    top = services.add_agenda_item(koordination, meeting, title="Spurensicherung")
    login(client, koordination)
    url = reverse("network:minutes", args=[meeting.pk])
    response = client.post(
        url, {"action": "minutes", "minutes-minutes": "## Verlauf\n\nEs wurde **beraten**."}
    )
    assert response.status_code == 302
    client.post(
        url, {"action": "decision", "decision-text": "Ein AK wird gegründet.", "decision-agenda_item": top.pk}
    )
    client.post(
        url,
        {
            "action": "task",
            "task-title": "Finanzierung klären",
            "task-owner": partners[0].pk,
            "task-due_on": "2099-01-31",
            "task-agenda_item": top.pk,
        },
    )
    client.post(url, {"action": "task", "task-title": "Erledigte Sache", "task-owner": partners[1].pk})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and "**beraten**" in meeting.minutes
    assert meeting.decisions.get().agenda_item == top
    open_task = meeting.tasks.get(title="Finanzierung klären")
    assert (open_task.owner, open_task.due_on, open_task.status) == (
        partners[0],
        datetime.date(2099, 1, 31),
        Task.Status.OPEN,
    )
    services.set_task_status(koordination, meeting.tasks.get(title="Erledigte Sache"), Task.Status.DONE)

    html = client.get(url).content.decode()
    assert "<strong>beraten</strong>" in html and "Ein AK wird gegründet." in html

    nxt = services.save_meeting(
        koordination, title="Plenum Herbst", starts_at=_at(20), ends_at=_at(20, 16), location="Kreishaus"
    )
    carried = list(queries.carried_over_tasks(nxt))
    assert carried == [open_task]  # done tasks are not carried over
    page = client.get(reverse("network:meeting_detail", args=[nxt.pk])).content.decode()
    assert (
        "Offene Aufgaben aus früheren Sitzungen" in page
        and "Finanzierung klären" in page
        and "Erledigte Sache" not in page
    )


def test_working_group_tasks_stay_in_their_working_group(meeting, partners, koordination):
    services.add_task(koordination, meeting, title="Plenumsaufgabe", owner=partners[0])
    group = services.save_working_group(koordination, name="AK Prävention", organisations=partners[:2])
    ak = services.save_meeting(
        koordination, title="AK", working_group=group, starts_at=_at(5), ends_at=_at(5, 16), location="Online"
    )
    assert {a.organisation for a in ak.attendances.all()} == set(partners[:2])
    assert list(queries.carried_over_tasks(ak)) == []


def test_task_validation_names_fields(meeting, koordination, partners):
    with pytest.raises(ValidationError) as excinfo:
        services.add_task(koordination, meeting, title="  ", owner=partners[0])
    assert "title" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.add_task(
            koordination, meeting, title="x", owner=partners[0], due_on=datetime.date(2000, 1, 1)
        )
    assert "due_on" in excinfo.value.message_dict
    other = services.save_meeting(
        koordination, title="Andere", starts_at=_at(3), ends_at=_at(3, 16), location="x"
    )
    foreign_item = services.add_agenda_item(koordination, other, title="fremd")
    with pytest.raises(ValidationError):
        services.add_decision(koordination, meeting, text="x", agenda_item=foreign_item)
    assert not meeting.tasks.exists() and not meeting.decisions.exists()


def test_task_status_by_owner_organisation_only(meeting, koordination, partners, fachkraft, client):
    task = services.add_task(koordination, meeting, title="Aufgabe", owner=partners[0])  # fachkraft's org
    other = services.add_task(koordination, meeting, title="Fremd", owner=partners[1])
    services.set_task_status(fachkraft, task, Task.Status.IN_PROGRESS)
    with pytest.raises(PermissionDenied):
        services.set_task_status(fachkraft, other, Task.Status.DONE)
    login(client, fachkraft)
    assert client.post(reverse("network:task_status", args=[other.pk]), {"status": "done"}).status_code == 403
    other.refresh_from_db()
    assert other.status == Task.Status.OPEN


def test_finalised_minutes_are_locked(meeting, koordination):
    with pytest.raises(ValidationError):
        services.finalise_minutes(koordination, meeting)  # empty
    services.save_minutes(koordination, meeting, minutes="Text")
    services.finalise_minutes(koordination, meeting)
    with pytest.raises(ValidationError):
        services.save_minutes(koordination, meeting, minutes="später geändert")
    with pytest.raises(ValidationError):
        services.add_decision(koordination, meeting, text="nachträglich")


def test_attendance_by_organisation(meeting, koordination, partners, client):
    login(client, koordination)
    first, second = partners[0], partners[1]
    response = client.post(
        reverse("network:attendance_save", args=[meeting.pk]),
        {
            f"att{first.pk}-status": "present",
            f"att{first.pk}-represented_by": "ASD-Leitung",
            f"att{second.pk}-status": "declined",
        },
    )
    assert response.status_code == 302
    assert meeting.attendances.get(organisation=first).status == "present"
    assert meeting.attendances.get(organisation=first).represented_by == "ASD-Leitung"
    assert meeting.attendances.get(organisation=second).status == "declined"
    assert meeting.attendances.get(organisation=partners[2]).status == "invited"
    # An unknown status changes nothing at all.
    client.post(
        reverse("network:attendance_save", args=[meeting.pk]),
        {f"att{first.pk}-status": "absent", f"att{second.pk}-status": "egal"},
    )
    assert meeting.attendances.get(organisation=first).status == "present"
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'id="att{first.pk}-status"' in page and "Teilnahme speichern" in page


def test_minutes_pdf_and_ics_for_members_only(meeting, koordination, fachkraft, client):
    services.add_agenda_item(koordination, meeting, title="Begrüßung")
    services.save_minutes(koordination, meeting, minutes="Protokolltext")
    pdf_url = reverse("network:minutes_pdf", args=[meeting.pk])
    ics_url = reverse("network:meeting_ics", args=[meeting.pk])
    assert client.get(pdf_url).status_code == 302  # to login
    assert client.get(ics_url).status_code == 302
    login(client, fachkraft)
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ics = client.get(ics_url)
    assert ics["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event["SUMMARY"] == "Plenum Frühjahr" and "TOP 1: Begrüßung" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == meeting.starts_at
    all_ics = client.get(reverse("network:meetings_ics"))
    assert len(Calendar.from_ical(all_ics.content).walk("VEVENT")) == 1


def test_members_read_but_only_koordination_writes_meetings(meeting, fachkraft, client):
    login(client, fachkraft)
    assert client.get(reverse("network:meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("network:meeting_new")).status_code == 403
    assert (
        client.post(
            reverse("network:minutes", args=[meeting.pk]), {"action": "minutes", "minutes-minutes": "x"}
        ).status_code
        == 403
    )
    meeting.refresh_from_db()
    assert meeting.minutes == ""


def test_meeting_form_creates_meeting(koordination, partners, client):
    login(client, koordination)
    response = client.post(
        reverse("network:meeting_new"),
        {
            "title": "Neu",
            "starts_at": "2030-05-01T14:00",
            "ends_at": "2030-05-01T16:00",
            "location": "Soest",
            "invited_organisations": [partners[0].pk],
        },
    )
    meeting = Meeting.objects.get(title="Neu")
    assert response.status_code == 302 and [a.organisation for a in meeting.attendances.all()] == [
        partners[0]
    ]
    bad = client.post(
        reverse("network:meeting_new"),
        {"title": "Kaputt", "starts_at": "2030-05-01T14:00", "ends_at": "2030-05-01T13:00", "location": "x"},
    )
    assert bad.status_code == 200 and "Das Ende muss nach dem Beginn liegen." in bad.content.decode()
    assert not Meeting.objects.filter(title="Kaputt").exists()


def test_a_meeting_place_is_a_location_in_english_not_a_town():
    from django.utils import translation

    from schutznetz.network.forms import MeetingForm

    with translation.override("en"):
        assert str(MeetingForm().fields["location"].label) == "Location"
    with translation.override("de"):
        assert str(MeetingForm().fields["location"].label) == "Ort"


@pytest.mark.parametrize(
    "target", ["/\\evil.example/", "//evil.example/", "https://evil.example/", "/\t/evil.example/"]
)
def test_task_status_never_redirects_to_another_site(
    meeting, koordination, partners, fachkraft, client, target
):
    task = services.add_task(koordination, meeting, title="Aufgabe", owner=partners[0])
    login(client, fachkraft)
    response = client.post(reverse("network:task_status", args=[task.pk]), {"status": "done", "next": target})
    assert response.status_code == 302
    assert response["Location"] == meeting.get_absolute_url()
    # A path of our own is still followed.
    response = client.post(
        reverse("network:task_status", args=[task.pk]),
        {"status": "done", "next": "/intern/netzwerk/aufgaben/"},
    )
    assert response["Location"] == "/intern/netzwerk/aufgaben/"
