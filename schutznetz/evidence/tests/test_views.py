import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from schutznetz.core.models import AccessLogEntry
from schutznetz.evidence.models import EventKind, Kit, Programme
from schutznetz.testing.factories import login

from .conftest import at_institute, register

pytestmark = pytest.mark.django_db


def test_only_evidence_staff_reach_kits(client, sites):
    kit, _ = register(sites)
    login(client, sites.koordination)
    assert client.get(reverse("evidence:kit_list")).status_code == 403
    assert client.get(reverse("evidence:kit_detail", args=[kit.pk])).status_code == 403


def test_staff_see_only_kits_at_their_site(client, sites):
    kit, _ = register(sites)
    login(client, sites.clinic_b_user)
    assert client.get(reverse("evidence:kit_detail", args=[kit.pk])).status_code == 404
    assert kit.code not in client.get(reverse("evidence:kit_list")).content.decode()
    response = client.get(reverse("evidence:kit_list"), {"code": kit.code})
    assert response.status_code == 200 and "Kein Set mit diesem Code" in response.content.decode()


def test_full_chain_only_for_the_holding_site(client, sites):
    kit, _ = at_institute(sites)
    login(client, sites.lab_user)
    body = client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    assert "Verwahrungskette" in body and "klinik-a" in body and "empfangen" in body
    assert AccessLogEntry.objects.filter(
        object_type="evidence.kit", object_id=str(kit.pk), user_label="labor"
    ).exists()
    client.logout()
    login(client, sites.clinic_user)
    body = client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    assert kit.code in body
    assert "Die vollständige Kette sieht die Stelle" in body and "labor" not in body


def test_register_shows_code_and_pin_once_and_prints_the_card(client, sites):
    login(client, sites.clinic_user)
    form = client.get(reverse("evidence:kit_register")).content.decode()
    for forbidden in ('name="name"', "birth", "address", 'Befund"'):
        assert forbidden not in form
    response = client.post(
        reverse("evidence:kit_register"),
        {
            "programme": sites.programme.pk,
            "examined_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "ko_drugs",
            "seal_number": "S-77",
            "items_blood": "2",
            "items_urine": "1",
            "reminder_channel": "none",
        },
    )
    assert response.status_code == 200
    kit = Kit.objects.get()
    pin = response.context["pin"]
    body = response.content.decode()
    assert kit.code in body and pin in body and "no-store" in response["Cache-Control"]
    card = client.post(reverse("evidence:kit_card", args=[kit.pk]), {"pin": pin})
    assert card.status_code == 200 and card["Content-Type"] == "application/pdf"
    assert card.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(card.content)).pages[0].extract_text()
    assert kit.code in text and pin in text
    wrong = "000000" if pin != "000000" else "111111"
    assert client.post(reverse("evidence:kit_card", args=[kit.pk]), {"pin": wrong}).status_code == 403
    labels = client.get(reverse("evidence:kit_labels", args=[kit.pk]))
    assert labels.content.startswith(b"%PDF")
    label_text = PdfReader(io.BytesIO(labels.content)).pages[0].extract_text()
    assert kit.code in label_text and pin not in label_text


def test_bad_registration_names_the_field_and_changes_nothing(client, sites):
    login(client, sites.clinic_user)
    response = client.post(
        reverse("evidence:kit_register"),
        {
            "programme": sites.programme.pk,
            "examined_at": "gestern",
            "kind": "sexual",
            "seal_number": "",
            "reminder_channel": "email",
            "reminder_contact": "keine-adresse",
            "items_swabs": "2",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Untersuchung am:" in body and "Siegelnummer:" in body
    assert Kit.objects.count() == 0
    response = client.post(
        reverse("evidence:kit_register"),
        {
            "programme": sites.programme.pk,
            "examined_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "kind": "sexual",
            "seal_number": "S-1",
            "reminder_channel": "email",
            "reminder_contact": "keine-adresse",
            "items_swabs": "2",
        },
    )
    assert "gültige E-Mail-Adresse" in response.content.decode()
    assert Kit.objects.count() == 0


def test_hand_over_and_receive_through_the_pages(client, sites):
    kit, _ = register(sites)
    login(client, sites.clinic_user)
    url = reverse("evidence:kit_hand_over", args=[kit.pk])
    response = client.post(url, {"to_site": sites.institute.pk, "seal_number": "S-1", "reason": ""})
    assert response.status_code == 302
    # A second try is refused with a message, not an error page.
    response = client.post(url, {"to_site": sites.institute.pk, "seal_number": "S-1"}, follow=True)
    assert "erst wenn der Eingang bestätigt ist" in response.content.decode()
    client.logout()
    login(client, sites.lab_user)
    assert sites.institute.name in client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    response = client.post(reverse("evidence:kit_receive", args=[kit.pk]), {"seal_number": "S-1"})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.holder == sites.institute
    assert list(kit.events.values_list("kind", flat=True)) == [
        EventKind.SEALED,
        EventKind.HANDED_OVER,
        EventKind.RECEIVED,
    ]


def test_expiring_page_lists_held_kits(client, sites):
    kit, _ = at_institute(sites)
    Kit.objects.filter(pk=kit.pk).update(retention_until=timezone.localdate() + datetime.timedelta(days=20))
    login(client, sites.lab_user)
    body = client.get(reverse("evidence:expiring")).content.decode()
    assert kit.code in body


def test_billing_counts_per_clinic_and_type(client, sites):
    register(sites, days_ago=0)
    register(sites, days_ago=0, kind="physical")
    register(sites, days_ago=0, actor=sites.clinic_b_user)
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    # A kit of the previous year does not count.
    register(sites, days_ago=400)
    login(client, sites.koordination)
    params = {"year": today.year, "quarter": quarter}
    rows = client.get(reverse("evidence:billing"), params).context["rows"]
    counts = {(r["clinic"], r["kind"]): r["count"] for r in rows}
    assert counts == {
        ("Klinik A (Test)", "Körperliche Gewalt"): 1,
        ("Klinik A (Test)", "Sexualisierte Gewalt"): 1,
        ("Klinik B (Test)", "Sexualisierte Gewalt"): 1,
    }
    csv = client.get(reverse("evidence:billing"), {**params, "format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Quartal;Klinik;Art der Untersuchung;Anzahl"
    assert f"{today.year}-Q{quarter};Klinik B (Test);Sexualisierte Gewalt;1" in text
    for kit in Kit.objects.all():
        assert kit.code not in text
    xlsx = client.get(reverse("evidence:billing"), {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 4).value == "Anzahl"
    client.logout()
    # A clinic sees only its own numbers.
    login(client, sites.clinic_b_user)
    rows = client.get(reverse("evidence:billing"), params).context["rows"]
    assert {r["clinic"] for r in rows} == {"Klinik B (Test)"}


def test_programmes_are_kept_by_the_coordination(client, sites):
    login(client, sites.koordination)
    response = client.post(
        reverse("evidence:programme_create"),
        {
            "title": "Programm Nord",
            "storage_site": sites.institute.pk,
            "clinics": [sites.other_clinic.pk],
            "retention_years": "3",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Programme.objects.get(title="Programm Nord").retention_years == 3
    client.logout()
    login(client, sites.clinic_user)
    assert client.get(reverse("evidence:programme_list")).status_code == 403


def test_dashboard_panel_for_evidence_staff(client, sites):
    at_institute(sites)
    login(client, sites.lab_user)
    body = client.get(reverse("core:staff_home")).content.decode()
    assert "1 Set in Verwahrung" in body and "0 Eingänge zu bestätigen" in body


def test_demo_data_is_idempotent_and_its_chains_verify(capsys):
    from schutznetz.accounts import demo as accounts_demo
    from schutznetz.evidence import demo

    out = io.StringIO()
    accounts_demo.load(out)
    demo.load(out)
    first = (Kit.objects.count(), sum(k.events.count() for k in Kit.objects.all()))
    demo.load(out)
    assert (Kit.objects.count(), sum(k.events.count() for k in Kit.objects.all())) == first
    assert first[0] == 6
    assert set(Kit.objects.values_list("status", flat=True)) == {"confidential", "released", "destroyed"}
    assert Kit.objects.filter(pending_to__isnull=False).count() == 1
    call_command("verify_custody")
    assert "6 Sets" in capsys.readouterr().out


def test_listing_kits_is_written_to_the_access_log(client, sites):
    kit, _ = at_institute(sites)
    login(client, sites.lab_user)
    assert kit.code in client.get(reverse("evidence:kit_list")).content.decode()
    listed = AccessLogEntry.objects.about("evidence.kit", kit.pk).filter(purpose="list", user_label="labor")
    assert listed.exists()
