"""Browser flow: the police proposes a case → conference → action plan → minutes PDF."""

import pytest
from django.utils import timezone

from schutznetz.cases.models import Action, Case
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_police_case_to_conference_action_plan_and_minutes(live_server, browser_page, world):
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)
    log_in(page, base, "polizist")
    page.goto(base + "/intern/faelle/neu/")
    page.get_by_label("Kategorie").select_option(label="Häusliche Gewalt")
    page.get_by_label("Stadt/Gemeinde").select_option("Soest")
    page.get_by_label("Vorname").fill("Erika")
    page.get_by_label("Nachname").fill("Beispielfrau")
    page.get_by_label("Für die nächste Fallkonferenz vorschlagen").check()
    page.get_by_role("button", name="Fall anlegen").click()
    case = Case.objects.get()
    assert page.get_by_role("heading", name=f"Fall {case.number}").is_visible()
    assert case.municipality == "Soest"
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Abmelden").click()

    log_in(page, base, "moderation")
    page.goto(base + "/intern/fallkonferenzen/neu/")
    page.get_by_label("Datum").fill(timezone.localdate().isoformat())
    page.get_by_label("Polizei Test").check()
    page.get_by_role("button", name="Anlegen").click()
    assert page.get_by_text("Ich wahre die Vertraulichkeit.").is_visible()
    assert not page.get_by_text(case.number).count()
    page.get_by_label("Ich wahre die Vertraulichkeit.").check()
    page.get_by_role("button", name="Bestätigen").click()
    page.get_by_role("button", name="Tagesordnung zusammenstellen").click()
    assert page.get_by_text(f"Fall {case.number}").first.is_visible()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Beschlüsse und Maßnahmenplan").click()
    assert not page.get_by_text("Beispielfrau").count()  # the chair sees no identities
    page.get_by_role("textbox", name="Beschlüsse").fill("Schutzplan vereinbart, Überprüfung in vier Wochen.")
    page.get_by_role("button", name="Beschlüsse speichern").click()
    page.get_by_role("textbox", name="Maßnahme", exact=True).fill("Gefährderansprache durchführen")
    page.get_by_label("Organisation").select_option(label="Polizei Test")
    page.get_by_label("Verantwortliche Person").fill("Bezirksdienst")
    page.get_by_role("button", name="Maßnahme aufnehmen").click()
    assert page.get_by_role("cell", name="Gefährderansprache durchführen").is_visible()
    assert_no_axe_violations(page)
    assert Action.objects.get().organisation == world.police
    page.get_by_role("link", name="Zurück zur Tagesordnung").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Protokoll (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("protokoll-fallkonferenz-")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_correcting_a_case_and_cancelling_a_conference_in_the_browser(live_server, browser_page, world):
    """The pages added for corrections and cancellations, by keyboard-reachable labels, with axe."""
    from schutznetz.cases import services
    from schutznetz.cases.models import Category, Conference, ConferenceStatus

    case, _notices = services.create_case(
        world.polizist, category=Category.HAEUSLICHE_GEWALT, municipality="Soest"
    )
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)
    log_in(page, base, "polizist")
    page.goto(f"{base}/intern/faelle/{case.pk}/")
    page.get_by_role("link", name="Kategorie oder Stadt/Gemeinde korrigieren").click()
    assert_no_axe_violations(page)
    page.get_by_label("Stadt/Gemeinde").select_option("Lippstadt")
    page.get_by_role("button", name="Korrigieren").click()
    assert page.get_by_text("Dieses Feld ist zwingend erforderlich.").first.is_visible()  # no reason
    assert_no_axe_violations(page)  # the page with its error message, too
    page.get_by_label("Grund").fill("Tatort beim Anlegen verwechselt.")
    page.get_by_role("button", name="Korrigieren").click()
    page.wait_for_url(f"{base}/intern/faelle/{case.pk}/")
    case.refresh_from_db()
    assert case.municipality == "Lippstadt"
    page.get_by_role("button", name="Abmelden").click()

    log_in(page, base, "moderation")
    page.goto(base + "/intern/fallkonferenzen/neu/")
    page.get_by_label("Datum").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Anlegen").click()
    page.get_by_role("link", name="Fallkonferenz bearbeiten").click()
    assert_no_axe_violations(page)
    page.go_back()
    page.get_by_role("link", name="Fallkonferenz absagen").click()
    assert_no_axe_violations(page)
    page.get_by_label("Grund").fill("Raum nicht verfügbar.")
    page.get_by_role("button", name="Absagen").click()
    assert page.get_by_text("Die Fallkonferenz wurde abgesagt.").first.is_visible()
    assert_no_axe_violations(page)
    assert Conference.objects.get(chair_organisation=world.jugendamt).status == ConferenceStatus.CANCELLED
