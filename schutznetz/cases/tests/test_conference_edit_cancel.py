"""Editing and cancelling a case conference: who may, what is refused, and what happens to its agenda."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.cases import queries, services
from schutznetz.cases.models import (
    AgendaItem,
    AgendaReason,
    Attendance,
    Category,
    ConferenceKind,
    ConferenceStatus,
    ConfidentialityAcknowledgement,
    ReferralStatus,
)
from schutznetz.cases.tests.conftest import ANNA
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login, make_user

TODAY = datetime.date(2026, 11, 30)
CANCEL_REASON = "Terminkollision mit der Kreistagssitzung"


@pytest.fixture
def conference(world, police_case):
    """A planned conference chaired by the Jugendamt, police and Frauenberatung invited, with the police's
    proposed case on the agenda (its proposal accepted by that)."""
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(
        world.moderation,
        date=TODAY,
        location="Kreishaus",
        invited_organisations=[world.police, world.beratung],
    )
    services.build_agenda(world.moderation, conference)
    return conference


@pytest.fixture
def other_moderation(world):
    return make_user("andere-moderation", world.beratung, roles=(Role.MODERATION,), email="om@example.org")


def _proposal(case):
    return case.referrals.get(to_organisation__isnull=True)


def _audit(action):
    return list(AuditEntry.objects.filter(action=action))


# --- services: permissions ---------------------------------------------------------------------------


def test_only_the_chairs_moderation_may_edit(world, conference, other_moderation):
    for actor in (other_moderation, world.polizist, world.jugendamt_fk):
        with pytest.raises(PermissionDenied):
            services.update_conference(
                actor,
                conference,
                date=TODAY,
                kind=ConferenceKind.AD_HOC,
                location="",
                invited_organisations=[],
            )
    conference.refresh_from_db()
    assert conference.kind == ConferenceKind.REGULAR and conference.location == "Kreishaus"
    assert _audit("conference.update") == []
    services.update_conference(
        world.moderation, conference, date=TODAY + datetime.timedelta(days=7), kind=ConferenceKind.AD_HOC,
        location="Rathaus Lippstadt", invited_organisations=[world.police, world.beratung],
    )  # fmt: skip
    conference.refresh_from_db()
    assert (conference.date, conference.kind, conference.location) == (
        TODAY + datetime.timedelta(days=7),
        ConferenceKind.AD_HOC,
        "Rathaus Lippstadt",
    )
    [entry] = _audit("conference.update")
    assert entry.changed_fields == ["date", "kind", "location"]


def test_only_the_chairs_moderation_may_cancel(world, conference, other_moderation):
    for actor in (other_moderation, world.polizist, world.jugendamt_fk):
        with pytest.raises(PermissionDenied):
            services.cancel_conference(actor, conference, CANCEL_REASON)
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.PLANNED and conference.agenda_items.count() == 1
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CANCELLED and conference.is_cancelled
    assert conference.cancel_reason == CANCEL_REASON and conference.cancelled_by == world.moderation
    [entry] = _audit("conference.cancel")
    # field names only, never the reason
    assert "cancel_reason" in entry.changed_fields and "agenda_items" in entry.changed_fields
    assert all(CANCEL_REASON not in name for name in entry.changed_fields)


def test_a_held_conference_can_be_neither_edited_nor_cancelled(world, conference):
    services.mark_conference_held(world.moderation, conference)
    with pytest.raises(ValidationError, match="bereits durchgeführt"):
        services.update_conference(
            world.moderation, conference, date=TODAY, kind=ConferenceKind.AD_HOC, location="",
            invited_organisations=[],
        )  # fmt: skip
    with pytest.raises(ValidationError, match="bereits durchgeführt"):
        services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.HELD and conference.kind == ConferenceKind.REGULAR
    assert conference.invited_organisations.count() == 2 and conference.agenda_items.count() == 1


def test_cancelling_needs_a_reason_and_changes_nothing_without(world, conference, police_case, mailoutbox):
    mailoutbox.clear()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.cancel_conference(world.moderation, conference, reason)
        assert "reason" in exc.value.message_dict
        assert "Grund" in exc.value.message_dict["reason"][0]
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.PLANNED and conference.cancelled_at is None
    assert conference.agenda_items.count() == 1
    assert _proposal(police_case).status == ReferralStatus.ACCEPTED
    assert _audit("conference.cancel") == [] and mailoutbox == []


def test_a_cancelled_conference_is_not_cancelled_or_edited_again(world, conference):
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    with pytest.raises(ValidationError, match="bereits abgesagt"):
        services.cancel_conference(world.moderation, conference, "noch einmal")
    with pytest.raises(ValidationError, match="abgesagt"):
        services.update_conference(
            world.moderation, conference, date=TODAY, kind=ConferenceKind.REGULAR, location="",
            invited_organisations=[],
        )  # fmt: skip


def test_a_conference_with_recorded_decisions_cannot_be_cancelled(world, conference):
    [item] = conference.agenda_items.all()
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan vereinbart")
    with pytest.raises(ValidationError, match="durchgeführt"):
        services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.PLANNED


def test_edit_names_the_field_of_bad_input(world, conference):
    with pytest.raises(ValidationError) as exc:
        services.update_conference(
            world.moderation, conference, date=None, kind="jaehrlich", location="", invited_organisations=[]
        )
    assert set(exc.value.message_dict) == {"date", "kind"}
    conference.refresh_from_db()
    assert conference.location == "Kreishaus" and conference.invited_organisations.count() == 2


# --- cancelling puts the agenda back ------------------------------------------------------------------


def test_cancelling_puts_the_agenda_cases_back_for_the_next_conference(world, police_case):
    # a repeat (same person, 12 months) and a proposal; both on the agenda of the first conference
    repeat, notices = services.create_case(
        world.polizist, category=Category.HAEUSLICHE_GEWALT, persons=[ANNA]
    )
    assert notices and repeat.is_repeat
    services.propose_for_conference(world.polizist, police_case)
    first = services.create_conference(world.moderation, date=TODAY, invited_organisations=[world.police])
    items = services.build_agenda(world.moderation, first)
    assert {(i.case, i.reason) for i in items} == {
        (police_case, AgendaReason.PROPOSED),
        (repeat, AgendaReason.REPEAT),
    }
    assert _proposal(police_case).status == ReferralStatus.ACCEPTED
    assert queries.cases_for(world.moderation).filter(pk=police_case.pk).exists()

    services.cancel_conference(world.moderation, first, CANCEL_REASON)

    assert not AgendaItem.objects.filter(conference=first).exists()
    proposal = _proposal(police_case)
    assert proposal.status == ReferralStatus.PENDING and proposal.decided_at is None
    police_case.refresh_from_db()
    assert police_case.proposed_at is not None
    # the chair's view of the cases came from the agenda; it ends with the cancellation
    assert not queries.cases_for(world.moderation).filter(pk=police_case.pk).exists()
    nxt = services.create_conference(
        world.moderation, date=TODAY + datetime.timedelta(days=14), invited_organisations=[world.police]
    )
    collected = services.build_agenda(world.moderation, nxt)
    assert {(i.case, i.reason) for i in collected} == {
        (police_case, AgendaReason.PROPOSED),
        (repeat, AgendaReason.REPEAT),
    }
    assert _proposal(police_case).status == ReferralStatus.ACCEPTED


def test_a_proposal_also_on_another_planned_agenda_stays_accepted(world, conference, police_case):
    ad_hoc = services.create_conference(
        world.moderation, date=TODAY, kind=ConferenceKind.AD_HOC, invited_organisations=[world.police]
    )
    services.add_to_agenda(world.moderation, ad_hoc, police_case)
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    assert _proposal(police_case).status == ReferralStatus.ACCEPTED
    assert ad_hoc.agenda_items.count() == 1


def test_a_cancelled_conference_refuses_agenda_acknowledgement_attendance_and_outcomes(world, conference):
    services.acknowledge_confidentiality(world.moderation, conference)
    [item] = conference.agenda_items.all()
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    conference.refresh_from_db()
    item.conference = conference
    calls = [
        lambda: services.build_agenda(world.moderation, conference),
        lambda: services.acknowledge_confidentiality(world.polizist, conference),
        lambda: services.record_attendance(world.moderation, conference, [world.moderation]),
        lambda: services.record_case_outcome(world.moderation, item, decisions="Beschluss"),
        lambda: services.add_action(world.moderation, item, description="x", organisation=world.police),
        lambda: services.mark_conference_held(world.moderation, conference),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="abgesagt"):
            call()
    assert not AgendaItem.objects.filter(conference=conference).exists()
    assert not ConfidentialityAcknowledgement.objects.filter(
        conference=conference, user=world.polizist
    ).exists()
    assert not Attendance.objects.filter(conference=conference).exists()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CANCELLED


def test_cancellation_notifies_the_invited_without_case_content(world, conference, police_case, mailoutbox):
    mailoutbox.clear()
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    cancelled = [m for m in mailoutbox if "abgesagt" in m.subject]
    # the invited organisations' staff and the chair organisation's Fachkraft; not the acting Moderation
    assert {m.to[0] for m in cancelled} == {"polizist@example.org", "beraterin@example.org", "ja@example.org"}
    for mail in mailoutbox:
        for secret in (police_case.number, "Anna", "Müller", "Musterweg", CANCEL_REASON, "Kreishaus"):
            assert secret not in mail.subject and secret not in mail.body
    link = reverse("cases:conference_detail", args=[conference.pk])
    assert all(link in m.body for m in cancelled)
    # the referring organisation also learns that its proposal is open again
    assert any("Vermittlung" in m.subject and m.to == ["polizist@example.org"] for m in mailoutbox)


# --- editing invitations -------------------------------------------------------------------------------


def test_removed_organisation_loses_what_the_invitation_gave(world, conference):
    services.acknowledge_confidentiality(world.beraterin, conference)
    services.acknowledge_confidentiality(world.polizist, conference)
    services.acknowledge_confidentiality(world.moderation, conference)
    services.record_attendance(world.moderation, conference, [world.beraterin, world.polizist])
    assert queries.conferences_for(world.beraterin).filter(pk=conference.pk).exists()

    services.update_conference(
        world.moderation, conference, date=conference.date, kind=conference.kind, location=conference.location,
        invited_organisations=[world.police],
    )  # fmt: skip

    assert not queries.conferences_for(world.beraterin).filter(pk=conference.pk).exists()
    assert not ConfidentialityAcknowledgement.objects.filter(
        conference=conference, user=world.beraterin
    ).exists()
    assert not Attendance.objects.filter(conference=conference, user=world.beraterin).exists()
    # the others keep theirs; the police's case still meets here and stays on the agenda
    assert ConfidentialityAcknowledgement.objects.filter(conference=conference, user=world.polizist).exists()
    assert conference.agenda_items.count() == 1
    [entry] = _audit("conference.update")
    assert entry.changed_fields == ["acknowledgements", "attendances", "invited_organisations"]
    client = login(Client(), world.beraterin)
    assert client.get(reverse("cases:conference_detail", args=[conference.pk])).status_code == 404


def test_removing_the_only_meeting_partner_puts_its_case_back(world, conference, police_case):
    services.update_conference(
        world.moderation, conference, date=conference.date, kind=conference.kind, location="",
        invited_organisations=[world.beratung],
    )  # fmt: skip
    assert conference.agenda_items.count() == 0
    assert _proposal(police_case).status == ReferralStatus.PENDING
    assert not queries.cases_for(world.moderation).filter(pk=police_case.pk).exists()


# --- views ---------------------------------------------------------------------------------------------


def _edit_data(conference, **overrides):
    data = {
        "kind": conference.kind,
        "date": conference.date.isoformat(),
        "location": conference.location,
        "invited_organisations": [o.pk for o in conference.invited_organisations.all()],
    }
    data.update(overrides)
    return data


def test_edit_view(world, conference):
    url = reverse("cases:conference_edit", args=[conference.pk])
    assert login(Client(), world.polizist).get(url).status_code == 403
    client = login(Client(), world.moderation)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Kreishaus"' in body and 'for="id_date"' in body and 'for="id_location"' in body
    response = client.post(url, _edit_data(conference, date="", location="Woanders"))
    assert response.status_code == 400
    assert "Datum" in response.content.decode()
    conference.refresh_from_db()
    assert conference.location == "Kreishaus"
    response = client.post(url, _edit_data(conference, location="Rathaus Soest", kind=ConferenceKind.AD_HOC))
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.location == "Rathaus Soest" and conference.kind == ConferenceKind.AD_HOC


def test_cancel_view(world, conference, mailoutbox):
    url = reverse("cases:conference_cancel", args=[conference.pk])
    fachkraft = login(Client(), world.polizist)
    assert fachkraft.get(url).status_code == 403
    assert fachkraft.post(url, {"reason": CANCEL_REASON}).status_code == 403
    client = login(Client(), world.moderation)
    response = client.get(url)
    assert response.status_code == 200 and 'for="id_reason"' in response.content.decode()
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Grund" in body and "kern-error" in body
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.PLANNED and conference.agenda_items.count() == 1
    response = client.post(url, {"reason": CANCEL_REASON})
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CANCELLED
    detail = client.get(reverse("cases:conference_detail", args=[conference.pk])).content.decode()
    assert "abgesagt" in detail and CANCEL_REASON in detail
    assert reverse("cases:conference_cancel", args=[conference.pk]) not in detail
    listing = client.get(reverse("cases:conference_list")).content.decode()
    assert "abgesagt" in listing
    # an invited Fachkraft sees the cancellation, not an acknowledgement form
    detail = fachkraft.get(reverse("cases:conference_detail", args=[conference.pk])).content.decode()
    assert "abgesagt" in detail and "conference_acknowledge" not in detail
    assert reverse("cases:conference_acknowledge", args=[conference.pk]) not in detail


def test_detail_links_edit_and_cancel_for_the_chair_only(world, conference):
    url = reverse("cases:conference_detail", args=[conference.pk])
    edit = reverse("cases:conference_edit", args=[conference.pk])
    cancel = reverse("cases:conference_cancel", args=[conference.pk])
    body = login(Client(), world.moderation).get(url).content.decode()
    assert edit in body and cancel in body
    body = login(Client(), world.polizist).get(url).content.decode()
    assert edit not in body and cancel not in body


def test_views_refuse_a_held_or_cancelled_conference_with_a_message(world, conference):
    client = login(Client(), world.moderation)
    services.mark_conference_held(world.moderation, conference)
    response = client.post(
        reverse("cases:conference_cancel", args=[conference.pk]), {"reason": "x"}, follow=True
    )
    assert "bereits durchgeführt" in response.content.decode()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.HELD
    response = client.get(reverse("cases:conference_edit", args=[conference.pk]))
    assert response.status_code == 302


def test_cancelled_conference_views_show_errors_not_crashes(world, conference):
    client = login(Client(), world.moderation)
    services.cancel_conference(world.moderation, conference, CANCEL_REASON)
    for name in ("conference_build_agenda", "conference_held", "conference_attendance"):
        response = client.post(reverse(f"cases:{name}", args=[conference.pk]), follow=True)
        assert response.status_code == 200
        assert "abgesagt" in response.content.decode()
    response = login(Client(), world.polizist).post(
        reverse("cases:conference_acknowledge", args=[conference.pk]), {"confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert not ConfidentialityAcknowledgement.objects.filter(
        conference=conference, user=world.polizist
    ).exists()
    conference.refresh_from_db()
    assert conference.status == ConferenceStatus.CANCELLED and conference.agenda_items.count() == 0
    assert timezone.now() >= conference.cancelled_at
