import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from schutznetz.cases import services
from schutznetz.cases.models import Case, LegalBasis, Person, SectionShare
from schutznetz.core.models import AccessLogEntry, AuditEntry
from schutznetz.testing.factories import login


def test_create_case_via_form_encrypts_and_reports_repeat(client, world, police_case):
    login(client, world.beraterin)
    response = client.post(reverse("cases:create"), {
        "category": "haeusliche_gewalt", "municipality": "Werl", "role": "at_risk",
        "first_name": "anna", "last_name": "mueller", "date_of_birth": "1990-04-12",
    }, follow=True)  # fmt: skip
    assert response.status_code == 200
    body = response.content.decode()
    assert "Wiederholungsfall erkannt" in body and police_case.number in body
    assert "Polizei Test" in body and "Moderation der Fallkonferenz wurde benachrichtigt" in body
    new = Case.objects.exclude(pk=police_case.pk).get()
    assert new.bringing_organisation == world.beratung and new.is_repeat
    assert AuditEntry.objects.filter(action="case.create", object_id=str(new.pk)).count() == 1


def test_create_case_without_name_names_the_field(client, world):
    login(client, world.polizist)
    response = client.post(reverse("cases:create"), {"category": "stalking", "role": "at_risk"})
    assert response.status_code == 400
    assert (
        "Nachname" in response.content.decode() and "Bitte geben Sie einen Namen" in response.content.decode()
    )
    assert not Case.objects.exists()


def test_share_without_basis_shows_clear_message_and_changes_nothing(client, world, police_case):
    login(client, world.polizist)
    response = client.post(reverse("cases:share", args=[police_case.pk]),
                           {"organisation": world.beratung.pk, "sections": ["persons"]})  # fmt: skip
    assert response.status_code == 400
    assert "keine gültige Rechtsgrundlage" in response.content.decode()
    assert not SectionShare.objects.exists()


def test_legal_basis_form_and_withdrawal(client, world, police_case):
    login(client, world.polizist)
    response = client.post(reverse("cases:legal_basis_add", args=[police_case.pk]),
                           {"organisation": world.beratung.pk, "kind": "consent"})  # fmt: skip
    assert response.status_code == 400 and "Datum der Einwilligung" in response.content.decode()
    response = client.post(reverse("cases:legal_basis_add", args=[police_case.pk]), {
        "organisation": world.beratung.pk, "kind": "consent", "consent_date": timezone.localdate().isoformat(),
        "consent_scope": "Kontaktdaten an Beratung", "consent_given_by": "die gefährdete Person"})  # fmt: skip
    assert response.status_code == 302
    basis = LegalBasis.objects.get()
    client.post(reverse("cases:legal_basis_withdraw", args=[police_case.pk, basis.pk]))
    basis.refresh_from_db()
    assert basis.withdrawn_at is not None


def test_detail_shows_only_shared_sections(client, world, shared_with_beratung):
    services.add_note(world.polizist, shared_with_beratung, text="Geheime Notiz der Polizei")
    login(client, world.beraterin)
    body = client.get(reverse("cases:detail", args=[shared_with_beratung.pk])).content.decode()
    assert "Anna" in body and "NICHT anrufen" in body
    assert "Geheime Notiz" not in body and "Rechtsgrundlagen" not in body
    login(client, world.polizist)
    body = client.get(reverse("cases:detail", args=[shared_with_beratung.pk])).content.decode()
    assert "Geheime Notiz der Polizei" in body and "§ 34a Abs. 4 PolG NRW" in body


def test_case_list_can_hide_names(client, world, police_case):
    login(client, world.polizist)
    assert "Anna Müller" in client.get(reverse("cases:list")).content.decode()
    body = client.get(reverse("cases:list") + "?namen=aus").content.decode()
    assert "Anna" not in body and police_case.number in body


def test_risk_form_raises_band_with_reason(client, world, police_case):
    login(client, world.polizist)
    url = reverse("cases:risk", args=[police_case.pk, "partnergewalt"])
    page = client.get(url).content.decode()
    assert "kein validiertes" in page.lower() and "gewürgt" in page
    response = client.post(url, {"item_separation": "on", "judgement_band": "standard"})
    assert response.status_code == 302
    response = client.post(url, {"judgement_band": "high"})
    assert response.status_code == 400 and "begründen" in response.content.decode()


def _conference_with_plan(world, police_case):
    services.propose_for_conference(world.polizist, police_case)
    conference = services.create_conference(world.moderation, date=timezone.localdate(),
                                            invited_organisations=[world.police, world.beratung])  # fmt: skip
    [item] = services.build_agenda(world.moderation, conference)
    services.add_action(world.moderation, item, description="Gefährderansprache", organisation=world.police,
                        responsible_person="KHK Beispiel", due_date=timezone.localdate())  # fmt: skip
    services.record_case_outcome(world.moderation, item, decisions="Schutzplan vereinbart")
    return conference, item


def test_agenda_only_after_acknowledgement(client, world, police_case):
    conference, _item = _conference_with_plan(world, police_case)
    login(client, world.polizist)
    url = reverse("cases:conference_detail", args=[conference.pk])
    body = client.get(url).content.decode()
    assert "Vertraulichkeit" in body and police_case.number not in body
    client.post(reverse("cases:conference_acknowledge", args=[conference.pk]))  # without the tick: nothing
    assert police_case.number not in client.get(url).content.decode()
    client.post(reverse("cases:conference_acknowledge", args=[conference.pk]), {"confirm": "1"})
    assert police_case.number in client.get(url).content.decode()


def test_minutes_pdf_stamped_and_only_for_acknowledged(client, world, police_case):
    conference, _item = _conference_with_plan(world, police_case)
    world.polizist.first_name, world.polizist.last_name = "Paula", "Prüfer"
    world.polizist.save()
    login(client, world.polizist)
    url = reverse("cases:minutes_pdf", args=[conference.pk])
    assert client.get(url).status_code == 404
    services.acknowledge_confidentiality(world.polizist, conference)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Paula Prüfer" in text and timezone.localtime().strftime("%d.%m.%Y") in text
    assert "Gefährderansprache" in text and "Schutzplan vereinbart" in text
    # the invited counselling centre, not part of the case, gets minutes without its content
    services.acknowledge_confidentiality(world.beraterin, conference)
    login(client, world.beraterin)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(client.get(url).content)).pages)
    assert "Gefährderansprache" not in text and "nicht beteiligt" in text


def test_agenda_item_records_action_and_review(client, world, police_case):
    conference, item = _conference_with_plan(world, police_case)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    url = reverse("cases:agenda_item", args=[conference.pk, item.pk])
    body = client.get(url).content.decode()
    assert "Anna" not in body and "Gefährderansprache" in body
    response = client.post(url, {"description": "Beratung", "organisation": world.beratung.pk})
    assert response.status_code == 400 and "Rechtsgrundlage" in response.content.decode()
    response = client.post(url, {"description": "Fallakte prüfen", "organisation": world.police.pk,
                                 "due_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()})  # fmt: skip
    assert response.status_code == 302
    assert police_case.actions.count() == 2


def test_access_report_lists_organisations(client, world, shared_with_beratung):
    login(client, world.beraterin)
    client.get(reverse("cases:detail", args=[shared_with_beratung.pk]))
    client.get(reverse("cases:detail", args=[shared_with_beratung.pk]))
    client.get(reverse("cases:list"))
    login(client, world.polizist)
    response = client.get(reverse("cases:access_report_json", args=[shared_with_beratung.pk]))
    data = json.loads(response.content)
    orgs = {row["organisation"]: row["reads"] for row in data["organisations"]}
    # The police's only read is this download: it answers the request and shows no content.
    assert orgs == {"Frauenberatung Test": 3} and data["report_requests"] == 1
    # Opening the file and seeing the case in a list are told apart.
    assert data["organisations"][0]["kinds"] == {"opened": 2, "listed": 1}
    assert data["kinds"]["opened"] == "Fall geöffnet"
    assert "Anna" not in response.content.decode()
    login(client, world.datenschutz)
    response = client.get(reverse("cases:access_report_pdf", args=[shared_with_beratung.pk]))
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    assert "Frauenberatung Test" in text and "Nicht mitgezählt: 2 Abrufe" in text
    assert "2 × Fall geöffnet" in text and "1 × in einer Liste oder Suche angezeigt" in text
    body = client.get(
        reverse("cases:access_lookup") + f"?nummer={shared_with_beratung.number.lower()}"
    ).content
    assert reverse("cases:access_report_pdf", args=[shared_with_beratung.pk]) in body.decode()
    data = json.loads(client.get(reverse("cases:access_report_json", args=[shared_with_beratung.pk])).content)
    # Datenschutz's look-up and downloads are not reads of the case by its organisation, but are counted.
    assert [row["organisation"] for row in data["organisations"]] == ["Frauenberatung Test"]
    assert data["report_requests"] == 4


def test_referral_flow_via_views(client, world, police_case, mailoutbox):
    services.record_legal_basis(world.polizist, police_case, world.beratung, "polg_34a")
    login(client, world.polizist)
    response = client.post(reverse("cases:referral_create", args=[police_case.pk]),
                           {"to_organisation": world.beratung.pk, "sections": ["persons"]})  # fmt: skip
    assert response.status_code == 302
    referral = police_case.referrals.get(to_organisation=world.beratung)
    login(client, world.beraterin)
    home = client.get(reverse("core:staff_home")).content.decode()
    assert police_case.number in home and "Neue Vermittlungen" in home
    url = reverse("cases:referral_detail", args=[referral.pk])
    response = client.post(url, {"status": "declined"})
    assert response.status_code == 400 and "Grund" in response.content.decode()
    assert client.post(url, {"status": "accepted"}).status_code == 302
    assert (
        client.post(
            url,
            {
                "first_contact_at": (timezone.localtime() + datetime.timedelta(minutes=1)).strftime(
                    "%Y-%m-%dT%H:%M"
                )
            },
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.first_contact_at is not None
    login(client, world.polizist)
    assert client.post(url, {"status": "completed"}).status_code == 403


def test_start_page_panels_for_koordination_show_counts_only(client, world, police_case):
    login(client, world.koordination)
    body = client.get(reverse("core:staff_home")).content.decode()
    assert "Fallzahlen" in body and police_case.number not in body and "Anna" not in body


def test_close_case_via_form_needs_reason(client, world, police_case):
    login(client, world.polizist)
    url = reverse("cases:close", args=[police_case.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "moved"}).status_code == 302
    police_case.refresh_from_db()
    assert police_case.status == "closed"


def test_every_list_read_is_logged(client, world, police_case):
    login(client, world.polizist)
    client.get(reverse("cases:list"))
    assert AccessLogEntry.objects.about("cases.case", police_case.pk).filter(purpose="list").count() == 1


def test_demo_is_idempotent(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    counts = (Case.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Case.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == counts
    assert Case.objects.filter(is_repeat=True).count() == 1
    assert Case.objects.values("bringing_organisation").distinct().count() == 3
    assert Case.objects.filter(deadlines__kind="return_ban", deadlines__done_at__isnull=True).exists()


def test_personal_data_declared():
    from django.apps import apps

    from schutznetz.core import personal_data

    assert personal_data.undeclared_fields(apps.get_app_config("cases").get_models()) == []


def test_openapi_schema_documents_cases_and_actions(client, world):
    login(client, world.polizist)
    response = client.get("/api/schema/?format=json")
    schema = json.loads(response.content)
    assert "/api/v1/cases/" in schema["paths"] and "/api/v1/actions/{id}/" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/actions/{id}/"]


@pytest.mark.parametrize(
    "name", ["cases:list", "cases:conference_list", "cases:referral_list", "cases:create"]
)
def test_pages_render_for_fachkraft(client, world, police_case, name):
    login(client, world.polizist)
    assert client.get(reverse(name)).status_code == 200
