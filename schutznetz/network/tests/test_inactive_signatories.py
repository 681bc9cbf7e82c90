"""An organisation deactivated while its accession is in force is no longer shown as a partner."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from schutznetz.accounts.models import Organisation
from schutznetz.network import queries, services
from schutznetz.testing.factories import login

from .conftest import SIGNED

pytestmark = pytest.mark.django_db

SECTION = "Nicht mehr aktive Organisationen"


def _deactivate(organisation):
    # Organisations are deactivated by the accounts module; here only the flag matters.
    Organisation.objects.filter(pk=organisation.pk).update(is_active=False)
    organisation.refresh_from_db()


def test_a_deactivated_signatory_is_listed_apart_and_not_counted(version1, partners, polizei):
    _deactivate(polizei)
    current = [row["organisation"].name for row in queries.signatories(version1)]
    former = [row["organisation"].name for row in queries.inactive_signatories(version1)]
    assert current == ["Jugendamt Teststadt", "Koordinierungsstelle Test"]
    assert former == ["Polizei Teststadt"]
    status = queries.confirmation_status(version1)
    assert polizei.pk not in {row["organisation"].pk for row in status["confirmed"]}
    assert polizei not in status["pending"]
    assert len(status["confirmed"]) == 2


def test_a_confirmation_of_a_later_version_by_a_deactivated_partner_is_listed_apart(
    version1, partners, polizei
):
    version2 = services.publish_version(None, services.create_version(None, title="Neu", body="Text 2"))
    services.record_confirmation(
        None, polizei, version2, signatory_name="Frau P.", signatory_function="Leitung", confirmed_on=SIGNED
    )
    assert "Polizei Teststadt" in [r["organisation"].name for r in queries.signatories(version2)]
    _deactivate(polizei)
    assert queries.signatories(version2) == []
    assert [r["name"] for r in queries.inactive_signatories(version2)] == ["Frau P."]


def test_a_withdrawn_and_deactivated_organisation_is_not_listed_at_all(version1, partners, polizei):
    accession = polizei.accessions.get()
    services.record_withdrawal(None, accession, withdrawn_on=SIGNED)
    _deactivate(polizei)
    assert queries.inactive_signatories(version1) == []
    assert "Polizei" not in str(queries.signatories(version1))


def test_public_agreement_page_shows_a_deactivated_signatory_only_in_its_own_section(
    client, version1, partners, polizei
):
    page = client.get(reverse("network:agreement")).content.decode()
    assert SECTION not in page  # nobody deactivated: no such section
    _deactivate(polizei)
    page = client.get(reverse("network:agreement")).content.decode()
    current, former = page.split(SECTION)
    assert "Jugendamt Teststadt" in current and "Polizei Teststadt" not in current
    assert "Polizei Teststadt (nicht mehr aktiv)" in former and "Person 2" in former
    assert ">Partner<" not in former  # they are no longer partners
    assert "zählen nicht mehr zu den Partnern" in former
    # Nor is it among the partners on the network's page.
    home = client.get(reverse("network:home")).content.decode()
    assert "Jugendamt Teststadt" in home and "Polizei Teststadt" not in home


def test_agreement_pdf_lists_a_deactivated_signatory_apart(client, version1, partners, polizei):
    _deactivate(polizei)
    pdf = client.get(reverse("network:agreement_pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert SECTION in text
    current, former = text.split(SECTION)
    assert "Jugendamt Teststadt" in current and "Polizei Teststadt" not in current
    assert "Polizei Teststadt (nicht mehr aktiv)" in former


def test_staff_accession_list_marks_a_deactivated_partner(client, koordination, version1, partners, polizei):
    _deactivate(polizei)
    login(client, koordination)
    page = client.get(reverse("network:version_list")).content.decode()
    assert "Polizei Teststadt (nicht mehr aktiv)" in page
    assert "Jugendamt Teststadt (nicht mehr aktiv)" not in page
