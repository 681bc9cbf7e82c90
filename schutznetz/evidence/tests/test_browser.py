"""Browser flow (Playwright, Debian's Chromium): register, print the card, hand over, receive, look up."""

import re

import pytest
from playwright.sync_api import expect

from schutznetz.evidence.models import Kit
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_print_hand_over_receive_and_look_up(live_server, browser_page, sites):
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)  # the shared CI machine can be slow; nothing here waits on purpose
    log_in(page, base, "klinik-a")
    page.goto(base + "/intern/spurensicherung/neu/")
    page.get_by_label("Sexualisierte Gewalt").check()
    page.get_by_label("Siegelnummer").fill("S-4711")
    page.get_by_label("Anzahl: Abstriche").fill("4")
    page.get_by_label("Anzahl: Kleidung").fill("1")
    page.get_by_role("button", name="Set erfassen und versiegeln").click()
    code = page.get_by_test_id("kit-code").inner_text()
    pin = page.get_by_test_id("kit-pin").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", code) and re.fullmatch(r"\d{6}", pin)

    # The card opens in a new tab to print (inline, never a download that keeps the PIN on disk).
    with page.context.expect_event(
        "response", lambda response: response.url.endswith("/karte/")
    ) as card_info:
        page.get_by_role("button", name="Karte drucken (PDF)").click()
    card = card_info.value
    assert card.headers["content-disposition"].startswith("inline;")
    assert "no-store" in card.headers["cache-control"]
    assert card.headers["content-type"] == "application/pdf"  # the PDF itself: test_status_page_traces
    # It opened in a tab of its own: the registration page with the PIN stays where it was.
    expect(page.get_by_test_id("kit-pin")).to_have_text(pin)

    page.get_by_role("link", name="Zum Set").click()
    page.get_by_role("link", name="Übergeben").click()
    page.get_by_label("An Stelle").select_option(label="Rechtsmedizin (Test)")
    page.get_by_label("Siegelnummer").fill("S-4711")
    page.get_by_role("button", name="Übergabe eintragen").click()
    assert page.get_by_text("Eingang unbestätigt").first.is_visible()
    page.get_by_role("button", name="Abmelden").click()

    log_in(page, base, "labor")
    page.goto(base + "/intern/spurensicherung/")
    page.get_by_role("table", name="Eingang zu bestätigen").get_by_role("link", name=code).click()
    page.get_by_role("link", name="Eingang bestätigen").click()
    page.get_by_label("Siegelnummer auf dem Set").fill("S-4711")
    page.get_by_role("button", name="Eingang bestätigen").click()
    assert page.get_by_text("Das Set ist jetzt in Ihrer Verwahrung").is_visible()
    kit = Kit.objects.get(code=code)
    assert kit.holder == sites.institute and kit.pending_to is None
    page.get_by_role("button", name="Abmelden").click()

    page.goto(base + "/spurensicherung/status/")
    assert_no_axe_violations(page)
    page.get_by_label("Code von Ihrer Karte").fill(code.lower())
    page.get_by_label("PIN von Ihrer Karte").fill(pin)
    page.get_by_role("button", name="Stand anzeigen").click()
    assert page.get_by_test_id("status").inner_text() == "vertraulich gelagert"
    assert page.get_by_text(kit.retention_until.strftime("%d.%m.%Y")).first.is_visible()
    assert_no_axe_violations(page)


def test_axe_status_page_with_a_wrong_answer(live_server, browser_page, db):
    page = browser_page
    page.goto(live_server.url + "/spurensicherung/status/")
    page.get_by_label("Code von Ihrer Karte").fill("K7QM-4XNP-R")
    page.get_by_label("PIN von Ihrer Karte").fill("123456")
    page.get_by_role("button", name="Stand anzeigen").click()
    assert page.get_by_text("Code und PIN passen nicht zusammen").is_visible()
    assert page.context.cookies() == []
    assert_no_axe_violations(page)
