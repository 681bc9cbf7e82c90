"""A repeat is any new incident within 12 months of the last conference."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import services
from schutznetz.cases.models import AgendaReason, Case, ChronologyKind, RepeatMatch
from schutznetz.testing.factories import login

TODAY = timezone.localdate


def _conferenced(case, days_ago):
    Case.objects.filter(pk=case.pk).update(last_conferenced_on=TODAY() - datetime.timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def _incident(user, case, when=None, kind=ChronologyKind.INCIDENT):
    return services.add_chronology_entry(
        user, case, date=when or TODAY(), text="Erneute Drohung am Telefon", kind=kind
    )


def _chair_mails(mailoutbox):
    return [m for m in mailoutbox if m.to == ["mod@example.org"]]


@pytest.fixture
def planned_conference(world):
    """An upcoming conference whose chair (Jugendamt) gets the repeat notice; the police is invited."""
    return services.create_conference(
        world.moderation, date=TODAY() + datetime.timedelta(days=7), invited_organisations=[world.police]
    )


def test_incident_eleven_months_after_the_last_conference_is_a_repeat(
    world, police_case, planned_conference, mailoutbox
):
    _conferenced(police_case, 335)
    mailoutbox.clear()
    entry = _incident(world.polizist, police_case)
    assert entry.marks_repeat and entry.kind == ChronologyKind.INCIDENT
    police_case.refresh_from_db()
    assert police_case.is_repeat
    match = RepeatMatch.objects.get(case=police_case)
    assert match.earlier_case == police_case and match.chair_notified
    [mail] = _chair_mails(mailoutbox)
    assert "Drohung" not in mail.body and police_case.number not in mail.body and "Müller" not in mail.body
    # it comes to the next agenda as a repeat
    [item] = services.build_agenda(world.moderation, planned_conference)
    assert item.case == police_case and item.reason == AgendaReason.REPEAT


def test_incident_thirteen_months_after_the_last_conference_is_not_a_repeat(
    world, police_case, planned_conference, mailoutbox
):
    _conferenced(police_case, 395)
    mailoutbox.clear()
    entry = _incident(world.polizist, police_case)
    police_case.refresh_from_db()
    assert not entry.marks_repeat and not police_case.is_repeat
    assert not RepeatMatch.objects.exists() and _chair_mails(mailoutbox) == []
    assert services.build_agenda(world.moderation, planned_conference) == []


def test_incident_on_a_case_never_conferenced_is_not_a_repeat(world, police_case, planned_conference):
    entry = _incident(world.polizist, police_case)
    police_case.refresh_from_db()
    assert not entry.marks_repeat and not police_case.is_repeat
    assert not RepeatMatch.objects.exists()


def test_an_ordinary_entry_or_an_incident_before_the_conference_is_no_repeat(world, police_case):
    _conferenced(police_case, 30)
    _incident(world.polizist, police_case, kind=ChronologyKind.EVENT)
    _incident(world.polizist, police_case, when=TODAY() - datetime.timedelta(days=31))
    police_case.refresh_from_db()
    assert not police_case.is_repeat and police_case.chronology.count() == 2


def test_an_incident_in_the_future_names_the_date_and_changes_nothing(world, police_case):
    _conferenced(police_case, 30)
    with pytest.raises(ValidationError) as exc:
        _incident(world.polizist, police_case, when=TODAY() + datetime.timedelta(days=1))
    assert "date" in exc.value.message_dict
    police_case.refresh_from_db()
    assert not police_case.is_repeat and not police_case.chronology.exists()


def test_an_incident_after_the_conference_brings_the_case_back(world, police_case, mailoutbox):
    """Discussed repeat → off the agenda; a new incident after that conference → back on it."""
    services.propose_for_conference(world.polizist, police_case)
    first = services.create_conference(world.moderation, date=TODAY(), invited_organisations=[world.police])
    [item] = services.build_agenda(world.moderation, first)
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan")
    # (all held today: an incident can only be recorded on or after the conference day)
    second = services.create_conference(world.moderation, date=TODAY(), invited_organisations=[world.police])
    assert services.build_agenda(world.moderation, second) == []

    _incident(world.polizist, police_case)
    [item] = services.build_agenda(world.moderation, second)
    assert item.reason == AgendaReason.REPEAT
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan angepasst")
    third = services.create_conference(world.moderation, date=TODAY(), invited_organisations=[world.police])
    assert services.build_agenda(world.moderation, third) == []

    # another incident after the second conference: the same repeat record counts again, the chair is told again
    mailoutbox.clear()
    RepeatMatch.objects.filter(case=police_case).update(
        detected_at=timezone.now() - datetime.timedelta(days=1)
    )  # recorded before the last conference
    _incident(world.polizist, police_case)
    assert len(_chair_mails(mailoutbox)) == 1
    [item] = services.build_agenda(world.moderation, third)
    assert item.reason == AgendaReason.REPEAT


def test_a_repeat_only_comes_to_a_conference_meeting_the_case(world, police_case):
    _conferenced(police_case, 60)
    _incident(world.polizist, police_case)
    others = services.create_conference(
        world.moderation, date=TODAY(), invited_organisations=[world.beratung]
    )
    assert services.build_agenda(world.moderation, others) == []


def test_incident_via_the_form(client, world, police_case):
    _conferenced(police_case, 100)
    login(client, world.polizist)
    url = reverse("cases:chronology_add", args=[police_case.pk])
    response = client.post(url, {"date": TODAY().isoformat(), "kind": "incident", "text": "Erneuter Übergriff"},
                           follow=True)  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wiederholungsfall" in body and "neuer Vorfall" in body
    police_case.refresh_from_db()
    assert police_case.is_repeat
    response = client.post(url, {"date": TODAY().isoformat(), "kind": "unsinn", "text": "x"})
    assert response.status_code == 400 and police_case.chronology.count() == 1
