"""Defects found walking the staff side as providers, Koordination and shelters would."""

import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from schutznetz.directory import hsds, importer, services
from schutznetz.directory.models import Offer, OfferRevision, Provider
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db

ORG = "0f5e8c1a-2b3c-4d5e-8f90-123456789abc"


def test_opening_hours_on_days_apart_survive_the_edit_form_and_the_csv_export(
    client, koordination, make_offer
):
    offer = make_offer(
        schedules=[[0, "09:00", "12:00"], [2, "09:00", "12:00"], [3, "09:00", "12:00"], [1, "14:00", "17:00"]]
    )
    text = "Mo 09:00-12:00, Di 14:00-17:00, Mi-Do 09:00-12:00"
    assert hsds.csv_row(offer)[15] == text
    login(client, koordination)
    response = client.get(reverse("directory:staff_offer_edit", args=[offer.pk]))
    assert response.context["form"].initial["opening_hours"] == text


def test_anbieter_second_edit_starts_from_the_pending_proposal(client, anbieter, shelter):
    services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    login(client, anbieter)
    response = client.get(reverse("directory:staff_offer_edit", args=[shelter.pk]))
    assert response.context["form"].initial["phone"] == "02921 999999"
    shelter.refresh_from_db()
    assert shelter.phone == "02921 123456"  # still the public version


def test_review_shows_labels_and_names_not_field_codes(client, anbieter, koordination, shelter):
    services.update_offer(
        anbieter,
        shelter,
        {"languages": ["de", "tr"], "schedules": [[0, "09:00", "12:00"]], "anonymous": True},
    )
    revision = OfferRevision.objects.get(status="pending")
    login(client, koordination)
    html = client.get(reverse("directory:review_detail", args=[revision.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Sprachen Deutsch Deutsch, Türkisch" in text
    assert "Öffnungszeiten – Mo 09:00-12:00" in text
    assert "anonym möglich nein ja" in text
    assert "schedules" not in text and "[&#x27;de&#x27;" not in html


def test_approving_a_proposal_the_model_refuses_says_why_and_changes_nothing(client, koordination, shelter):
    # Stored before the form's rules caught it (or by an older version): the model refuses it.
    revision = OfferRevision.objects.create(
        offer=shelter, data={**services.offer_data(shelter), "website": "http://x"}
    )
    login(client, koordination)
    url = reverse("directory:review_detail", args=[revision.pk])
    response = client.post(url, {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "kann so nicht freigegeben werden" in response.content.decode()
    revision.refresh_from_db()
    shelter.refresh_from_db()
    assert revision.status == "pending" and shelter.website == ""


def test_family_places_beyond_any_house_are_refused_in_the_form(client, anbieter, shelter):
    login(client, anbieter)
    data = {
        "name": "Frauenhaus Teststadt",
        "kinds": ["frauenhaus"],
        "languages": ["de"],
        "phone": "02921 123456",
        "municipality": "soest",
        "appointment": "moeglich",
        "family_places": "10000000000000",
    }
    response = client.post(reverse("directory:staff_offer_edit", args=[shelter.pk]), data)
    assert response.status_code == 200
    assert "family_places" in response.context["form"].errors
    assert not OfferRevision.objects.exists()


def test_shelter_without_phone_has_no_empty_call_link(client, koordination, shelter):
    Offer.objects.filter(pk=shelter.pk).update(phone="")
    login(client, koordination)
    html = client.get(reverse("directory:shelter_overview")).content.decode()
    assert 'href="tel:"' not in html


def _csv(tmp_path, body):
    path = tmp_path / "angebote.csv"
    path.write_text(
        "organisation_id;organisation;name;beschreibung;art;ort;website\n" + body, encoding="utf-8"
    )
    return path


def test_csv_errors_name_the_line_where_the_record_starts_after_multiline_values(tmp_path, make_offer):
    path = _csv(
        tmp_path,
        f'{ORG};T;A;"Zeile eins\nZeile zwei\nZeile drei";frauenberatung;Soest;\n'
        f"{ORG};T;B;;frauenberatung;Nirgendwo;\n",
    )
    with pytest.raises(hsds.ImportFailed) as failed:
        importer.parse_file(path.name, path.read_text(encoding="utf-8"))
    assert failed.value.errors == ["Zeile 5, Feld „ort“: „Nirgendwo“ ist keine bekannte Gemeinde"]


def test_values_the_model_refuses_are_reported_per_row_and_nothing_is_imported(tmp_path, make_offer, capsys):
    make_offer()
    before = (Offer.objects.count(), Provider.objects.count())
    path = _csv(
        tmp_path,
        f"{ORG};T;A;;frauenberatung;Soest;https://example.org\n{ORG};T;B;;frauenberatung;Soest;http://x\n",
    )
    with pytest.raises(CommandError, match="1 Fehler – nichts importiert"):
        call_command("import_offers", str(path))
    assert "Zeile 3, Feld „Website“:" in capsys.readouterr().err
    assert (Offer.objects.count(), Provider.objects.count()) == before


def test_gap_page_charts_have_their_own_titles_and_tables_no_codes(client, koordination, make_offer):
    make_offer(kinds=["frauenberatung"], municipality="soest")
    login(client, koordination)
    html = client.get(reverse("directory:gaps")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'aria-labelledby="chart-title-distance"' in html
    assert "shelter_family_places" not in html
    assert "Frauenberatung: 1" in html


def test_anbieter_sees_why_koordination_rejected_the_change(client, anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    services.reject_revision(koordination, revision, "Die Nummer ist die private Nummer einer Mitarbeiterin.")
    login(client, anbieter)
    html = client.get(reverse("directory:staff_offer_edit", args=[shelter.pk])).content.decode()
    assert "Die Koordination hat Ihre Änderung vom" in html
    assert "Die Nummer ist die private Nummer einer Mitarbeiterin." in html
    # once a later change is approved, the old rejection is no longer shown
    services.approve_revision(
        koordination, services.update_offer(anbieter, shelter, {"phone": "02921 888888"})
    )
    html = client.get(reverse("directory:staff_offer_edit", args=[shelter.pk])).content.decode()
    assert "private Nummer" not in html


def test_hsds_values_of_the_wrong_type_are_reported_not_crashing(db):
    record = {
        "id": "5d0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
        "status": "active",
        "name": "Beratung",
        "organization": {"id": ORG, "name": "Träger"},
        "attributes": [
            {"taxonomy_term": {"taxonomy": "schutznetz-art", "code": ["frauenberatung"]}},
            {"taxonomy_term": {"taxonomy_detail": "kein Objekt", "code": {}}},
        ],
        "service_areas": [{"name": 3}],
    }
    with pytest.raises(hsds.ImportFailed) as failed:
        importer.parse_file("angebote.json", json.dumps([record]))
    label = "Datensatz 1 (5d0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b)"
    assert f"{label}, Feld „service_areas[0].name“: muss Text sein, nicht int" in failed.value.errors
    assert (
        f"{label}, Feld „attributes[0].taxonomy_term.code“: muss Text sein, nicht list" in failed.value.errors
    )


def test_review_of_a_new_offer_shows_what_was_entered(client, anbieter, koordination, shelter):
    offer = services.create_offer(
        anbieter,
        shelter.provider,
        {
            "name": "Neue Beratung",
            "kinds": ["frauenberatung"],
            "languages": ["de"],
            "municipality": "soest",
            "phone": "02921 555555",
        },
    )
    assert not offer.is_published
    revision = OfferRevision.objects.get(offer=offer, status="pending")
    login(client, koordination)
    html = client.get(reverse("directory:review_detail", args=[revision.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Keine Unterschiede" not in text
    assert "Name des Angebots – Neue Beratung" in text
    assert "Telefon – 02921 555555" in text
    assert "Gemeinde – Soest" in text
