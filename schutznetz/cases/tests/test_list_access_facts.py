"""The case list decides access on facts its own query carries (``queries.access_facts``); a case
page decides with ``annotate_access``. Both must always agree, and a stale instance must never
keep another user's or an earlier state's access."""

import datetime

from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import queries, services
from schutznetz.cases.models import Case, Category, DeadlineKind, LegalBasisKind, PersonRole, Section
from schutznetz.core.models import AccessLogEntry
from schutznetz.testing.factories import login


def _varied_cases(world, seeing_chair):
    """Cases covering every kind of access: managed, shared sections, withdrawn basis, chaired."""
    persons = [{"role": PersonRole.AT_RISK, "first_name": "Erika", "last_name": "Beispiel"}]
    police, _ = services.create_case(world.polizist, category=Category.STALKING, persons=persons)
    services.record_legal_basis(world.polizist, police, world.beratung, LegalBasisKind.POLG_34A)
    services.share_case(world.polizist, police, world.beratung, [Section.PERSONS, Section.NOTES])
    withdrawn, _ = services.create_case(world.polizist, category=Category.HAEUSLICHE_GEWALT, persons=persons)
    basis = services.record_legal_basis(
        world.polizist, withdrawn, world.jugendamt, LegalBasisKind.CONSENT,
        consent_date=datetime.date.today(), consent_scope="Kontaktdaten", consent_given_by="Erika Beispiel",
    )  # fmt: skip
    services.share_case(world.polizist, withdrawn, world.jugendamt, [Section.PERSONS, Section.RISK])
    services.withdraw_legal_basis(world.polizist, basis)
    services.propose_for_conference(world.polizist, police)
    # The police meet in the Jugendamt's conference, so their proposal comes onto its agenda.
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.build_agenda(world.moderation, conference)
    own, _ = services.create_case(seeing_chair, category=Category.SONSTIGE, persons=persons)
    return police, withdrawn, own


def test_the_list_decides_access_like_a_case_page_for_every_user(world, seeing_chair):
    _varied_cases(world, seeing_chair)
    users = [world.polizist, world.beraterin, world.jugendamt_fk, world.richterin, world.moderation,
             seeing_chair, world.koordination, world.datenschutz, world.anbieter]  # fmt: skip
    seen = set()
    for user in users:
        listed = queries.with_list_details(user, list(queries.case_list(user)))
        for case in listed:
            fresh = queries.annotate_access(user, [Case.objects.get(pk=case.pk)])[0].access
            assert case.access == fresh, (user.username, case.number)
            seen.add(
                (
                    case.access.participates,
                    case.access.manages,
                    case.access.chair,
                    case.access.cutoff is not None,
                )
            )
    # Not vacuous: managed, shared only, with a cut-off after a withdrawal, and chaired all occurred.
    assert (True, True, False, False) in seen
    assert (True, False, False, False) in seen
    assert (True, False, False, True) in seen
    assert any(chair for _, _, chair, _ in seen)


def test_a_reused_instance_is_decided_again_for_the_current_state_and_user(world, police_case):
    case = Case.objects.get(pk=police_case.pk)
    assert queries.annotate_access(world.polizist, [case])[0].access.manages
    # The same instance, asked for another user: nothing of the police's facts may remain.
    assert queries.annotate_access(world.beraterin, [case])[0].access.sections == frozenset()
    assert not case.access.participates
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    assert queries.annotate_access(world.beraterin, [case])[0].access.sections == {Section.PERSONS}
    # A Koordination user has no case roles: no facts are loaded, and none may be left over.
    assert queries.annotate_access(world.koordination, [case])[0].access.sections == frozenset()


def test_the_list_hides_a_person_added_after_the_basis_was_withdrawn(client, world):
    case, _ = services.create_case(world.polizist, category=Category.STALKING, persons=[])
    basis = services.record_legal_basis(
        world.polizist, case, world.beratung, LegalBasisKind.CONSENT,
        consent_date=datetime.date.today(), consent_scope="Kontakt", consent_given_by="Erika",
    )  # fmt: skip
    services.share_case(world.polizist, case, world.beratung, [Section.PERSONS])
    services.withdraw_legal_basis(world.polizist, basis)
    services.add_person(
        world.polizist, case, role=PersonRole.AT_RISK, first_name="Spaeter", last_name="Erfasst"
    )
    login(client, world.beraterin)
    page = client.get(reverse("cases:list")).content.decode()
    assert case.number in page and "Spaeter" not in page and "nicht freigegeben" in page
    login(client, world.polizist)
    assert "Spaeter Erfasst" in client.get(reverse("cases:list")).content.decode()


def test_list_log_rows_carry_the_same_values_as_a_single_read(world, police_case):
    queries.with_list_details(world.polizist, list(queries.case_list(world.polizist)))
    queries.access_case(world.polizist, police_case.pk)
    listed = AccessLogEntry.objects.get(purpose="list")
    single = AccessLogEntry.objects.get(purpose="view")
    for field in ("user_id", "user_label", "organisation_id", "object_type"):
        assert getattr(listed, field) == getattr(single, field), field
    assert listed.shown_ids == single.shown_ids == [str(police_case.pk)]
    assert abs(listed.created_at - single.created_at) < datetime.timedelta(minutes=1)


def test_start_page_lines_link_name_kind_and_date_and_escape(client, world, police_case):
    world.police.name = "Polizei <Test> & Co"
    world.police.save()
    today = timezone.localdate()
    services.add_deadline(
        world.polizist,
        police_case,
        kind=DeadlineKind.COURT_HEARING,
        due_date=today + datetime.timedelta(days=2),
    )
    services.add_deadline(
        world.polizist,
        police_case,
        kind=DeadlineKind.COURT_HEARING,
        due_date=today - datetime.timedelta(days=1),
    )
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.create_referral(world.polizist, police_case, world.beratung)
    login(client, world.polizist)
    home = client.get(reverse("core:staff_home")).content.decode()
    detail = reverse("cases:detail", args=[police_case.pk])
    for day in (today + datetime.timedelta(days=2), today - datetime.timedelta(days=1)):
        line = f'<li><a class="kern-link" href="{detail}">{police_case.number}</a> – Gerichtstermin, {day:%d.%m.%Y}</li>'
        assert line in home
    login(client, world.beraterin)
    home = client.get(reverse("core:staff_home")).content.decode()
    referral = police_case.referrals.get()
    assert f'href="{reverse("cases:referral_detail", args=[referral.pk])}">{police_case.number}</a>' in home
    assert "von Polizei &lt;Test&gt; &amp; Co," in home and "<Test>" not in home
