"""The core promise: participation + shared sections + legal basis, in queries.py."""

import datetime

import pytest
from django.http import Http404

from schutznetz.cases import queries, services
from schutznetz.cases.models import Case, LegalBasisKind, PersonRole, Section
from schutznetz.core.models import AccessLogEntry


def test_bringing_organisation_sees_everything(world, police_case):
    case = queries.access_case(world.polizist, police_case.pk)
    assert case.access.sections == frozenset(Section.values)
    assert {p.first_name for p in queries.persons_of(world.polizist, case)} == {"Anna", "Ben"}


@pytest.mark.parametrize(
    "who", ["beraterin", "jugendamt_fk", "moderation", "koordination", "datenschutz", "anbieter"]
)
def test_others_do_not_see_a_case_they_do_not_take_part_in(world, police_case, who):
    user = getattr(world, who)
    assert not queries.cases_for(user).filter(pk=police_case.pk).exists()
    with pytest.raises(Http404):
        queries.access_case(user, police_case.pk)


def test_invited_organisation_sees_only_shared_sections(world, shared_with_beratung):
    case = queries.access_case(world.beraterin, shared_with_beratung.pk)
    assert case.access.sections == {Section.PERSONS}
    assert queries.persons_of(world.beraterin, case).count() == 2
    services.add_chronology_entry(world.polizist, case, date=datetime.date(2026, 1, 2), text="Polizeieinsatz")
    case = queries.access_case(world.beraterin, case.pk)
    assert not queries.chronology_of(world.beraterin, case).exists()
    assert not queries.notes_of(world.beraterin, case).exists()
    assert not queries.legal_bases_of(world.beraterin, case).exists()
    # the case stays invisible to a third organisation
    assert not queries.cases_for(world.jugendamt_fk).exists()


def test_ended_participation_hides_the_case(world, shared_with_beratung):
    services.end_participation(world.polizist, shared_with_beratung, world.beratung)
    with pytest.raises(Http404):
        queries.access_case(world.beraterin, shared_with_beratung.pk)


def test_every_read_is_logged(world, shared_with_beratung):
    before = AccessLogEntry.objects.count()
    queries.access_case(world.beraterin, shared_with_beratung.pk)
    entry = AccessLogEntry.objects.order_by("-id").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.object_type, entry.object_id, entry.organisation) == (
        "cases.case",
        str(shared_with_beratung.pk),
        world.beratung,
    )
    queries.with_list_details(world.beraterin, list(queries.case_list(world.beraterin)))
    assert AccessLogEntry.objects.filter(purpose="list", organisation=world.beratung).count() == 1


def test_list_shows_names_only_with_persons_section(world, police_case):
    services.record_legal_basis(world.polizist, police_case, world.jugendamt, LegalBasisKind.SGB_VIII_8A)
    services.share_case(world.polizist, police_case, world.jugendamt, [Section.RISK])
    [case] = queries.with_list_details(world.jugendamt_fk, list(queries.case_list(world.jugendamt_fk)))
    assert case.primary_name is None
    [case] = queries.with_list_details(world.polizist, list(queries.case_list(world.polizist)))
    assert case.primary_name.split()[0] == "Anna"


def test_chair_sees_agenda_cases_without_identities(world, police_case):
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(
        world.moderation, date=datetime.date.today(), invited_organisations=[world.police]
    )
    services.build_agenda(world.moderation, conference)
    case = queries.access_case(world.moderation, police_case.pk)
    assert case.access.chair and not case.access.participates
    assert not case.access.sees(Section.PERSONS)
    assert case.access.sees(Section.RISK) and case.access.sees(Section.ACTIONS)
    assert not queries.persons_of(world.moderation, case).exists()
    # a Fachkraft of the chair's organisation does not see it by that
    with pytest.raises(Http404):
        queries.access_case(world.jugendamt_fk, police_case.pk)


def test_koordination_and_datenschutz_see_counts_only(world, police_case):
    for user in (world.koordination, world.datenschutz):
        counts = queries.case_counts(user)
        assert counts["open"] == 1 and counts["by_category"] == {"haeusliche_gewalt": 1}
        assert not queries.cases_for(user).exists()
    assert queries.case_counts(world.polizist) is None


def test_action_holder_participates_and_sees_actions_only(world, police_case):
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(
        world.moderation, date=datetime.date.today(), invited_organisations=[world.police]
    )
    [item] = services.build_agenda(world.moderation, conference)
    services.record_legal_basis(world.polizist, police_case, world.gericht, LegalBasisKind.CONSENT,
                                consent_date=datetime.date.today(), consent_scope="Maßnahmenplan",
                                consent_given_by="gefährdete Person selbst")  # fmt: skip
    action = services.add_action(world.moderation, item, description="Eilverfahren prüfen", organisation=world.gericht,
                                 due_date=datetime.date.today() + datetime.timedelta(days=5))  # fmt: skip
    case = queries.access_case(world.richterin, police_case.pk)
    assert case.access.sections == {Section.ACTIONS}
    assert list(queries.actions_of(world.richterin, case)) == [action]
    assert list(queries.open_actions_for_org(world.richterin)) == [action]
    assert [d.action for d in queries.deadlines_due_soon(world.richterin)] == []  # deadlines not shared


def test_withdrawn_consent_keeps_what_was_shared_and_hides_later_content(world, police_case):
    basis = services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.CONSENT,
                                        consent_date=datetime.date.today(), consent_scope="Kontaktdaten",
                                        consent_given_by="Anna Müller")  # fmt: skip
    services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    services.withdraw_legal_basis(world.polizist, basis)
    services.add_person(
        world.polizist, police_case, role=PersonRole.OTHER, first_name="Neu", last_name="Person"
    )
    case = queries.access_case(world.beraterin, police_case.pk)
    names = {p.first_name for p in queries.persons_of(world.beraterin, case)}
    assert names == {"Anna", "Ben"}
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="keine gültige Rechtsgrundlage"):
        services.share_case(world.polizist, police_case, world.beratung, [Section.RISK])
    assert Case.objects.get(pk=police_case.pk).shares.filter(organisation=world.beratung).count() == 1
