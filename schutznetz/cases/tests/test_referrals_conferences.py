import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schutznetz.cases import queries, services
from schutznetz.cases.models import (
    ActionReview,
    ActionStatus,
    AgendaReason,
    Attendance,
    DeadlineKind,
    LegalBasisKind,
    ReferralStatus,
    Section,
)


@pytest.fixture
def referral(world, police_case):
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    return services.create_referral(world.polizist, police_case, world.beratung)


def test_police_refers_to_counselling_under_34a(world, police_case, referral, mailoutbox):
    case = queries.access_case(world.beraterin, police_case.pk)
    assert case.access.sections == {Section.PERSONS}
    assert list(queries.new_referrals(world.beraterin)) == [referral]
    assert any(m.to == ["beraterin@example.org"] for m in mailoutbox)


def test_referral_states_notify_the_referrer_every_time(world, referral, mailoutbox):
    mailoutbox.clear()
    services.update_referral(world.beraterin, referral, ReferralStatus.ACCEPTED)
    contact = timezone.now()
    services.record_first_contact(world.beraterin, referral, contact)
    services.update_referral(world.beraterin, referral, ReferralStatus.COMPLETED)
    to_police = [m for m in mailoutbox if m.to == ["polizist@example.org"]]
    assert len(to_police) == 3
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.time_to_first_contact == contact - referral.referred_at
    assert referral.completed_at is not None


def test_decline_needs_a_reason(world, referral):
    with pytest.raises(ValidationError) as exc:
        services.update_referral(world.beraterin, referral, ReferralStatus.DECLINED)
    assert "decline_reason" in exc.value.message_dict
    services.update_referral(world.beraterin, referral, ReferralStatus.DECLINED, "keine Kapazität")
    with pytest.raises(ValidationError):
        services.update_referral(world.beraterin, referral, ReferralStatus.ACCEPTED)


def test_only_receiver_updates_and_first_contact_not_before_referral(world, referral):
    with pytest.raises(PermissionDenied):
        services.update_referral(world.polizist, referral, ReferralStatus.ACCEPTED)
    with pytest.raises(ValidationError):
        services.record_first_contact(
            world.beraterin, referral, referral.referred_at - datetime.timedelta(hours=1)
        )


@pytest.fixture
def conference(world, police_case):
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police, world.beratung]
    )
    services.build_agenda(world.moderation, conference)
    return conference


def test_agenda_needs_confidentiality_acknowledgement(world, conference, police_case):
    assert queries.agenda_for(world.polizist, conference) is None
    services.acknowledge_confidentiality(world.polizist, conference)
    [item] = queries.agenda_for(world.polizist, conference)
    assert item.case == police_case and item.visible and item.reason == AgendaReason.PROPOSED


def test_invited_organisation_without_participation_sees_number_only(world, conference):
    services.acknowledge_confidentiality(world.beraterin, conference)
    [item] = queries.agenda_for(world.beraterin, conference)
    assert not item.visible and item.previous_actions == [] and not item.sees_risk


def test_uninvited_cannot_acknowledge(world, conference):
    with pytest.raises(PermissionDenied):
        services.acknowledge_confidentiality(world.richterin, conference)


def test_attendance_requires_acknowledgement(world, conference):
    with pytest.raises(ValidationError):
        services.record_attendance(world.moderation, conference, [world.polizist])
    services.acknowledge_confidentiality(world.polizist, conference)
    services.acknowledge_confidentiality(world.beraterin, conference)
    services.record_attendance(world.moderation, conference, [world.polizist])
    assert {(a.user.username, a.present) for a in Attendance.objects.all()} == {
        ("polizist", True),
        ("beraterin", False),
    }


def test_action_plan_review_and_next_conference(world, conference, police_case):
    [item] = conference.agenda_items.all()
    with pytest.raises(PermissionDenied):
        services.add_action(world.polizist, item, description="x", organisation=world.police)
    with pytest.raises(ValidationError, match="Rechtsgrundlage"):
        services.add_action(
            world.moderation, item, description="Beratung anbieten", organisation=world.beratung
        )
    action = services.add_action(world.moderation, item, description="Gefährderansprache", organisation=world.police,
                                 responsible_person="KHK Beispiel", due_date=timezone.localdate())  # fmt: skip
    assert action.deadline.kind == DeadlineKind.ACTION_DUE
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan vereinbart",
                                 next_review_date=timezone.localdate() + datetime.timedelta(days=28))  # fmt: skip
    police_case.refresh_from_db()
    assert police_case.last_conferenced_on == conference.date and police_case.proposed_at is None
    # next conference: the case returns because of the open action, and the action is reviewed
    nxt = services.create_conference(
        world.moderation, date=timezone.localdate() + datetime.timedelta(days=28)
    )
    [next_item] = services.build_agenda(world.moderation, nxt)
    assert next_item.reason == AgendaReason.OPEN_ACTIONS
    services.review_action(world.moderation, next_item, action, ActionReview.DONE)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.deadline.done_at is not None
    assert services.build_agenda(world.moderation, services.create_conference(
        world.moderation, date=timezone.localdate() + datetime.timedelta(days=56))) == []  # fmt: skip


def test_action_holder_updates_status(world, conference):
    [item] = conference.agenda_items.all()
    action = services.add_action(
        world.moderation, item, description="Gefährderansprache", organisation=world.police
    )
    with pytest.raises(PermissionDenied):
        services.update_action(world.beraterin, action, status=ActionStatus.DONE)
    services.update_action(world.polizist, action, status=ActionStatus.DONE, outcome="durchgeführt")
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate() and action.outcome == "durchgeführt"


def test_review_date_creates_8a_deadline_for_child_protection(world):
    case, _ = services.create_case(world.jugendamt_fk, category="kindeswohlgefaehrdung")
    services.propose_for_conference(world.jugendamt_fk, case)
    conf = services.create_conference(world.moderation, date=timezone.localdate())
    [item] = services.build_agenda(world.moderation, conf)
    review = timezone.localdate() + datetime.timedelta(days=14)
    services.record_case_outcome(world.moderation, item, decisions="Hilfeplan", next_review_date=review)
    deadline = case.deadlines.get()
    assert (deadline.kind, deadline.due_date, deadline.organisation) == ("review_8a", review, world.jugendamt)
    assert list(queries.deadlines_due_soon(world.jugendamt_fk, days=14)) == [deadline]


def test_dashboard_lists(world, police_case):
    today = timezone.localdate()
    services.add_deadline(world.polizist, police_case, kind=DeadlineKind.COURT_HEARING,
                          due_date=today - datetime.timedelta(days=1))  # fmt: skip
    services.add_deadline(world.polizist, police_case, kind=DeadlineKind.RETURN_BAN,
                          ordered_on=today - datetime.timedelta(days=5))  # fmt: skip
    assert [d.kind for d in queries.deadlines_overdue(world.polizist)] == ["court_hearing"]
    assert [d.kind for d in queries.deadlines_due_soon(world.polizist)] == ["return_ban"]
    assert not queries.deadlines_due_soon(world.beraterin).exists()


def test_a_chair_only_collects_proposals_of_partners_meeting_in_its_conference(world, police_case):
    """Putting a case on an agenda gives the chair a view of it: a conference of other partners
    must not collect the police's proposal."""
    services.propose_for_conference(world.polizist, police_case)
    others = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.beratung, world.gericht]
    )
    assert services.build_agenda(world.moderation, others) == []
    assert not queries.cases_for(world.moderation).filter(pk=police_case.pk).exists()
    with_police = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    [item] = services.build_agenda(world.moderation, with_police)
    assert item.case == police_case and item.reason == AgendaReason.PROPOSED
