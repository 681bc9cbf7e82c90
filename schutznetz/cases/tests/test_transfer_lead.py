"""Handing the lead (Fallverantwortung) to another participating organisation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schutznetz.cases import queries, services
from schutznetz.cases.models import Case, LegalBasisKind, Section
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login


@pytest.fixture
def invited(world, police_case):
    services.invite_organisation(world.polizist, police_case, world.beratung)
    return police_case


def test_page_offers_participating_organisations_only(client, world, invited):
    login(client, world.polizist)
    body = client.get(reverse("cases:transfer_lead", args=[invited.pk])).content.decode()
    assert "Frauenberatung Test" in body
    assert "Jugendamt Test" not in body  # does not take part
    detail = client.get(reverse("cases:detail", args=[invited.pk])).content.decode()
    assert reverse("cases:transfer_lead", args=[invited.pk]) in detail


def test_without_legal_basis_the_field_is_named_and_nothing_changes(client, world, invited, mailoutbox):
    login(client, world.polizist)
    mailoutbox.clear()
    response = client.post(
        reverse("cases:transfer_lead", args=[invited.pk]), {"organisation": world.beratung.pk}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rechtsgrundlage" in body and 'href="#id_organisation"' in body
    invited.refresh_from_db()
    assert invited.lead_organisation == world.police
    assert not AuditEntry.objects.filter(action="case.lead").exists()
    assert mailoutbox == []


def test_transfer_with_legal_basis(client, world, invited, mailoutbox):
    services.record_legal_basis(world.polizist, invited, world.beratung, LegalBasisKind.POLG_34A)
    login(client, world.polizist)
    mailoutbox.clear()
    response = client.post(
        reverse("cases:transfer_lead", args=[invited.pk]), {"organisation": world.beratung.pk}
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=invited.pk)
    assert case.lead_organisation == world.beratung
    assert AuditEntry.objects.filter(action="case.lead", object_id=str(case.pk)).count() == 1
    assert [m.to for m in mailoutbox] == [["beraterin@example.org"]]
    assert "Müller" not in mailoutbox[0].body
    # the new lead sees the whole case and manages it; the police brought it and still manages it
    access = queries.access_case(world.beraterin, case.pk).access
    assert access.manages and access.sees(Section.NOTES)
    assert world.beraterin.has_perm("cases.manage_case", case)
    assert world.polizist.has_perm("cases.manage_case", queries.access_case(world.polizist, case.pk))
    # ... and can hand it back to the bringing organisation without a further basis
    services.transfer_lead(world.beraterin, case, world.police)
    case.refresh_from_db()
    assert case.lead_organisation == world.police


def test_service_rules(world, invited):
    with pytest.raises(ValidationError) as exc:
        services.transfer_lead(world.polizist, invited, world.police)
    assert "organisation" in exc.value.message_dict  # already leads
    with pytest.raises(ValidationError) as exc:
        services.transfer_lead(world.polizist, invited, world.beratung)
    assert "organisation" in exc.value.message_dict  # no legal basis
    world.gericht.is_active = False
    world.gericht.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as exc:
        services.transfer_lead(world.polizist, invited, world.gericht)
    assert "organisation" in exc.value.message_dict
    # permission before validation: a participating organisation that does not manage the case
    for user in (world.beraterin, world.moderation, world.koordination):
        with pytest.raises(PermissionDenied):
            services.transfer_lead(user, invited, world.police)
    services.close_case(world.polizist, invited, "risk_reduced")
    with pytest.raises(PermissionDenied):
        services.transfer_lead(world.polizist, invited, world.beratung)


def test_only_managers_reach_the_page(client, world, invited):
    url = reverse("cases:transfer_lead", args=[invited.pk])
    assert login(client, world.beraterin).get(url).status_code == 403  # participates, does not manage
    assert login(client, world.jugendamt_fk).get(url).status_code == 404  # does not take part
    assert login(client, world.koordination).get(url).status_code == 404
