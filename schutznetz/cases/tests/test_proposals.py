"""Proposals to the conference follow the referral states: pending → accepted (on an agenda) →
completed (outcome recorded), or declined by a chair who could collect it, or ended by closing the case."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.cases import queries, services
from schutznetz.cases.models import AgendaReason, Case, Referral, ReferralStatus
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login, make_user


def _to_police(mailoutbox):
    return [m for m in mailoutbox if m.to == ["polizist@example.org"]]


def _pending_count(world):
    return queries.case_counts(world.koordination)["pending_referrals"]


@pytest.fixture
def proposal(world, police_case):
    return services.propose_for_conference(world.polizist, police_case)


@pytest.fixture
def conference(world):
    return services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )


def test_proposal_is_accepted_on_the_agenda_and_completed_with_the_outcome(
    world, police_case, proposal, conference, mailoutbox
):
    assert proposal.status == ReferralStatus.PENDING and proposal.to_conference
    assert _pending_count(world) == 1
    mailoutbox.clear()

    [item] = services.build_agenda(world.moderation, conference)
    proposal.refresh_from_db()
    assert item.case == police_case and item.reason == AgendaReason.PROPOSED
    assert proposal.status == ReferralStatus.ACCEPTED and proposal.decided_at is not None
    assert proposal.completed_at is None
    assert _pending_count(world) == 0
    assert len(_to_police(mailoutbox)) == 1
    entry = AuditEntry.objects.filter(action="conference.agenda").latest("pk")
    assert "referrals" in entry.changed_fields

    # building again changes nothing and tells nobody again
    assert services.build_agenda(world.moderation, conference) == []
    assert len(_to_police(mailoutbox)) == 1

    services.record_case_outcome(world.moderation, item, decisions="Schutzplan vereinbart")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.COMPLETED and proposal.completed_at is not None
    assert len(_to_police(mailoutbox)) == 2
    # correcting the decisions later does not touch the completed proposal again
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan ergänzt")
    assert len(_to_police(mailoutbox)) == 2
    assert Referral.objects.filter(status=ReferralStatus.PENDING).count() == 0


def test_add_to_agenda_accepts_the_proposal(
    world, police_case, proposal, conference, seeing_chair, mailoutbox
):
    services.invite_organisation(world.polizist, police_case, world.jugendamt)
    mailoutbox.clear()
    services.add_to_agenda(seeing_chair, conference, police_case)
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.ACCEPTED
    assert len(_to_police(mailoutbox)) == 1


def test_a_proposal_still_waiting_is_completed_when_the_conference_discusses_the_case(
    world, police_case, conference, seeing_chair
):
    services.invite_organisation(world.polizist, police_case, world.jugendamt)
    item = services.add_to_agenda(seeing_chair, conference, police_case, AgendaReason.OPEN_ACTIONS)
    # proposed only after it was put on the agenda
    proposal = services.propose_for_conference(world.polizist, police_case)
    assert proposal.status == ReferralStatus.PENDING
    services.record_case_outcome(world.moderation, item, decisions="besprochen")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.COMPLETED
    assert proposal.decided_at is not None and proposal.completed_at is not None


def test_chair_declines_a_proposal_with_a_reason(world, police_case, proposal, conference, mailoutbox):
    mailoutbox.clear()
    with pytest.raises(ValidationError) as exc:
        services.decline_proposal(world.moderation, proposal, "   ")
    assert "decline_reason" in exc.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.PENDING and _to_police(mailoutbox) == []

    services.decline_proposal(world.moderation, proposal, "Zuständigkeit liegt beim Familiengericht")
    proposal.refresh_from_db()
    police_case.refresh_from_db()
    assert proposal.status == ReferralStatus.DECLINED and proposal.decided_at is not None
    assert proposal.decline_reason == "Zuständigkeit liegt beim Familiengericht"
    assert police_case.proposed_at is None
    assert len(_to_police(mailoutbox)) == 1
    assert (
        AuditEntry.objects.filter(action="referral.proposal.decline", object_id=str(proposal.pk)).count() == 1
    )
    assert _pending_count(world) == 0
    # a declined proposal is not collected; the case may be proposed again later
    assert services.build_agenda(world.moderation, conference) == []
    again = services.propose_for_conference(world.polizist, police_case)
    assert again.pk != proposal.pk and again.status == ReferralStatus.PENDING
    # a decided proposal cannot be declined again
    with pytest.raises(ValidationError) as exc:
        services.decline_proposal(world.moderation, proposal, "nochmal")
    assert "decline_reason" in exc.value.message_dict


def test_an_accepted_proposal_cannot_be_declined(world, proposal, conference):
    services.build_agenda(world.moderation, conference)
    proposal.refresh_from_db()
    with pytest.raises(ValidationError):
        services.decline_proposal(world.moderation, proposal, "zu spät")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.ACCEPTED


def test_only_a_chair_whose_conference_could_collect_it_may_decline(world, police_case, proposal):
    other_mod = make_user("andere-moderation", world.beratung, roles=(Role.MODERATION,))
    # no planned conference yet: nobody may decline
    with pytest.raises(PermissionDenied):
        services.decline_proposal(world.moderation, proposal, "kein Bedarf")
    # a conference of partners who do not take part in the case does not count
    services.create_conference(other_mod, date=timezone.localdate(), invited_organisations=[world.gericht])
    with pytest.raises(PermissionDenied):
        # permission is checked before the input: bad input still answers "not allowed"
        services.decline_proposal(other_mod, proposal, "")
    for user in (world.polizist, world.beraterin, world.koordination):
        with pytest.raises(PermissionDenied):
            services.decline_proposal(user, proposal, "kein Bedarf")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.PENDING
    # a held conference collects nothing any more
    held = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.mark_conference_held(world.moderation, held)
    with pytest.raises(PermissionDenied):
        services.decline_proposal(world.moderation, proposal, "kein Bedarf")
    services.create_conference(
        world.moderation,
        date=timezone.localdate() + datetime.timedelta(days=7),
        invited_organisations=[world.police],
    )
    services.decline_proposal(world.moderation, proposal, "kein Bedarf")


def test_closing_withdraws_a_waiting_proposal(world, police_case, proposal, mailoutbox):
    mailoutbox.clear()
    services.close_case(world.polizist, police_case, "risk_reduced")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.DECLINED
    assert proposal.decline_reason.startswith("Zurückgezogen")
    assert proposal.completed_at is None
    assert _pending_count(world) == 0
    assert len(_to_police(mailoutbox)) == 1


def test_closing_completes_a_proposal_on_an_agenda(world, police_case, proposal, conference):
    services.build_agenda(world.moderation, conference)
    services.close_case(world.polizist, police_case, "other_help")
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.COMPLETED and proposal.completed_at is not None


def test_partner_referrals_are_not_touched_by_the_conference(world, police_case, proposal, conference):
    from schutznetz.cases.models import LegalBasisKind

    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    partner = services.create_referral(world.polizist, police_case, world.beratung)
    [item] = services.build_agenda(world.moderation, conference)
    services.record_case_outcome(world.moderation, item, decisions="ok")
    partner.refresh_from_db()
    assert partner.status == ReferralStatus.PENDING
    assert list(queries.new_referrals(world.beraterin)) == [partner]
    assert _pending_count(world) == 1


def test_decline_page(client, world, police_case, proposal, conference):
    url = reverse("cases:proposal_decline", args=[proposal.pk])
    detail = login(client, world.moderation).get(reverse("cases:referral_detail", args=[proposal.pk]))
    assert url in detail.content.decode()
    response = client.post(url, {"decline_reason": ""})
    assert response.status_code == 400 and "Grund der Ablehnung" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.PENDING
    response = client.post(url, {"decline_reason": "Fall gehört in die Regelversorgung"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ReferralStatus.DECLINED
    # the referring Fachkraft sees the proposal with its reason, but gets no decline link or page
    login(client, world.polizist)
    body = client.get(reverse("cases:referral_detail", args=[proposal.pk])).content.decode()
    assert "Fall gehört in die Regelversorgung" in body and url not in body
    assert client.get(url).status_code == 403
    assert Case.objects.get(pk=police_case.pk).proposed_at is None
