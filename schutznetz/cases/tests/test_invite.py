"""Inviting an organisation to a case is a step of its own; sharing a section still needs a legal basis."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schutznetz.cases import queries, services
from schutznetz.cases.models import (
    LegalBasisKind,
    Participation,
    ParticipationReason,
    Section,
    SectionShare,
)
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login


def test_invite_needs_no_legal_basis_and_shares_nothing(world, police_case, mailoutbox):
    mailoutbox.clear()
    services.invite_organisation(world.polizist, police_case, world.beratung)
    participation = Participation.objects.get(case=police_case, organisation=world.beratung)
    assert participation.reason == ParticipationReason.INVITED and participation.ended_at is None
    assert not SectionShare.objects.filter(organisation=world.beratung).exists()
    entry = AuditEntry.objects.get(action="case.invite")
    assert entry.object_id == str(police_case.pk) and entry.changed_fields == ["participations"]
    [mail] = mailoutbox
    assert mail.to == ["beraterin@example.org"]
    assert "Anna" not in mail.body and "Müller" not in mail.body and police_case.number not in mail.body


def test_invited_organisation_sees_the_header_but_no_section(world, police_case):
    services.add_chronology_entry(world.polizist, police_case, date=datetime.date(2026, 1, 2), text="Einsatz")
    services.invite_organisation(world.polizist, police_case, world.beratung)
    case = queries.access_case(world.beraterin, police_case.pk)
    assert case.access.participates and not case.access.manages
    assert case.access.sections == frozenset()
    for rows in (queries.persons_of, queries.chronology_of, queries.notes_of, queries.risk_assessments_of,
                 queries.actions_of, queries.deadlines_of, queries.legal_bases_of, queries.shares_of):  # fmt: skip
        assert not rows(world.beraterin, case).exists(), rows.__name__
    # the case appears in its list, without the person's name
    [listed] = queries.with_list_details(world.beraterin, list(queries.case_list(world.beraterin)))
    assert listed.pk == police_case.pk and listed.primary_name is None


def test_invited_organisation_cannot_write_to_sections_or_manage(world, police_case):
    services.invite_organisation(world.polizist, police_case, world.beratung)
    case = queries.access_case(world.beraterin, police_case.pk)
    with pytest.raises(PermissionDenied):
        services.add_note(world.beraterin, case, text="Versuch")
    with pytest.raises(PermissionDenied):
        services.add_chronology_entry(world.beraterin, case, date=datetime.date(2026, 1, 2), text="Versuch")
    with pytest.raises(PermissionDenied):
        services.record_legal_basis(world.beraterin, case, world.jugendamt, LegalBasisKind.KKG_4)
    with pytest.raises(PermissionDenied):
        services.invite_organisation(world.beraterin, case, world.jugendamt)


def test_sharing_with_an_invited_organisation_still_needs_a_legal_basis(world, police_case):
    services.invite_organisation(world.polizist, police_case, world.beratung)
    with pytest.raises(ValidationError, match="Rechtsgrundlage"):
        services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    assert not SectionShare.objects.exists()
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    assert services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS]) == [
        Section.PERSONS
    ]
    participation = Participation.objects.get(case=police_case, organisation=world.beratung)
    assert participation.reason == ParticipationReason.INVITED
    case = queries.access_case(world.beraterin, police_case.pk)
    assert case.access.sections == {Section.PERSONS}


def test_withdrawn_basis_blocks_further_sharing_but_invitation_stays(world, police_case):
    basis = services.record_legal_basis(
        world.polizist, police_case, world.beratung, LegalBasisKind.CONSENT,
        consent_date=datetime.date.today(), consent_scope="Kontakt", consent_given_by="Anna",
    )  # fmt: skip
    services.invite_organisation(world.polizist, police_case, world.beratung)
    services.withdraw_legal_basis(world.polizist, basis)
    with pytest.raises(ValidationError, match="Rechtsgrundlage"):
        services.share_case(world.polizist, police_case, world.beratung, [Section.RISK])
    assert queries.access_case(world.beraterin, police_case.pk).access.sections == frozenset()


def test_invite_errors_name_the_field(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.invite_organisation(world.polizist, police_case, world.police)
    assert set(exc.value.message_dict) == {"organisation"}
    services.invite_organisation(world.polizist, police_case, world.beratung)
    with pytest.raises(ValidationError) as exc:
        services.invite_organisation(world.polizist, police_case, world.beratung)
    assert "bereits beteiligt" in exc.value.message_dict["organisation"][0]
    world.gericht.is_active = False
    world.gericht.save()
    with pytest.raises(ValidationError) as exc:
        services.invite_organisation(world.polizist, police_case, world.gericht)
    assert set(exc.value.message_dict) == {"organisation"}
    assert AuditEntry.objects.filter(action="case.invite").count() == 1


def test_reinvite_after_ended_participation_shows_no_old_sections(world, shared_with_beratung):
    services.end_participation(world.polizist, shared_with_beratung, world.beratung)
    services.invite_organisation(world.polizist, shared_with_beratung, world.beratung)
    case = queries.access_case(world.beraterin, shared_with_beratung.pk)
    assert case.access.sections == frozenset()


def test_invited_organisation_sees_the_agenda_item_of_the_conference(world, police_case):
    """Invited to the case (not only to the conference): the agenda shows it as a participating case."""
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(
        world.moderation, date=datetime.date.today(), invited_organisations=[world.police, world.beratung]
    )
    services.build_agenda(world.moderation, conference)
    services.acknowledge_confidentiality(world.beraterin, conference)
    [item] = queries.agenda_for(world.beraterin, conference)
    assert not item.visible
    services.invite_organisation(world.polizist, police_case, world.beratung)
    [item] = queries.agenda_for(world.beraterin, conference)
    assert item.visible and not item.sees_risk


# --- views ------------------------------------------------------------------------------------------


def test_invite_view_and_detail_page(client, world, police_case):
    login(client, world.polizist)
    url = reverse("cases:invite", args=[police_case.pk])
    assert url in client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    response = client.post(url, {"organisation": world.beratung.pk}, follow=True)
    assert "ist jetzt am Fall beteiligt" in response.content.decode()
    client.logout()
    login(client, world.beraterin)
    body = client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    assert police_case.number in body and "Polizei Test" in body
    assert "noch kein Abschnitt freigegeben" in body
    assert "Anna" not in body and "Musterweg" not in body and 'id="personen"' not in body
    assert url not in body


def test_invite_view_names_the_field(client, world, police_case):
    login(client, world.polizist)
    url = reverse("cases:invite", args=[police_case.pk])
    response = client.post(url, {"organisation": world.police.pk})
    assert response.status_code == 400
    assert "Organisation: Diese Organisation sieht den Fall bereits vollständig" in response.content.decode()
    response = client.post(url, {"organisation": ""})
    assert response.status_code == 400 and "Organisation: " in response.content.decode()
    assert not Participation.objects.filter(reason=ParticipationReason.INVITED).exists()


def test_invite_view_forbidden_for_sharing_and_foreign_organisations(client, world, shared_with_beratung):
    url = reverse("cases:invite", args=[shared_with_beratung.pk])
    login(client, world.beraterin)
    assert client.post(url, {"organisation": world.jugendamt.pk}).status_code == 403
    client.logout()
    login(client, world.jugendamt_fk)
    assert client.post(url, {"organisation": world.jugendamt.pk}).status_code == 404
    assert not Participation.objects.filter(organisation=world.jugendamt).exists()


def test_demo_has_an_invited_organisation_without_sections(db):
    from schutznetz.accounts import demo as accounts_demo
    from schutznetz.accounts.models import User
    from schutznetz.cases import demo
    from schutznetz.cases.models import Case

    class Quiet:
        def write(self, *args, **kwargs):
            pass

    accounts_demo.load(Quiet())
    demo.load(Quiet())
    police_user = User.objects.get(username="demo-fachkraft-polizei")
    stalking = Case.objects.get(category="stalking")
    case = queries.access_case(police_user, stalking.pk)
    assert case.access.participates and case.access.sections == frozenset()
    assert not queries.persons_of(police_user, case).exists()


def test_the_invite_page_names_every_field_the_invited_organisation_will_see(client, world, police_case):
    import re

    services.invite_organisation(world.polizist, police_case, world.jugendamt)
    login(client, world.jugendamt_fk)
    page = client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    header = page[page.index('<dl class="kern-description-list">') : page.index("</dl>")]
    shown = re.findall(r'list-item__key">([^<]+)</dt>', header)
    assert "Stadt/Gemeinde" in shown and "Risikostufe" in shown
    login(client, world.polizist)
    text = " ".join(client.get(reverse("cases:invite", args=[police_case.pk])).content.decode().split())
    for label in shown:
        # Bringing and lead organisation are "Organisationen" in the text.
        word = "Organisationen" if "Organisation" in label or label == "Fallverantwortung" else label
        assert word in text, label
