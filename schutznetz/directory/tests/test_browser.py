"""Browser flows: finding help in Lippstadt in Turkish, back to the search by keyboard, leaving by the quick
exit; axe on every finder page."""

import re

import pytest

from schutznetz.testing.axe import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scenario(make_offer, shelter):
    make_offer("Frauenberatung Soest", kinds=["frauenberatung"], municipality="soest")
    make_offer("Beratung auf Deutsch", kinds=["fachberatung-sexualisierte-gewalt"], municipality="lippstadt")
    return make_offer(
        "Lichtblick – Beratung nach sexualisierter Gewalt",
        kinds=["fachberatung-sexualisierte-gewalt"],
        municipality="lippstadt",
        languages=["de", "tr"],
        description="Vertrauliche Beratung, auch auf Türkisch.",
    )


def tab_to(page, text, limit=60):
    """Move the focus with the Tab key until it is on a link whose text starts with ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()").startswith(text):
            return
    raise AssertionError(f"{text!r} is not reachable by keyboard")


def test_lippstadt_turkish_counselling_then_quick_exit(browser_page, live_server, scenario, settings):
    settings.SCHUTZNETZ_EXIT_URL = live_server.url + "/healthz"
    page = browser_page
    page.set_default_timeout(30_000)  # CI machines are shared; the flow itself is fast
    page.goto(live_server.url + "/hilfe/")
    assert page.title() == "Informationen"
    page.get_by_label("Ort oder Postleitzahl").fill("Lippstadt")
    page.get_by_label("Art der Hilfe").select_option(label="Fachberatung sexualisierte Gewalt")
    page.get_by_label("Sprache der Beratung").select_option(label="Türkisch")
    page.get_by_role("button", name="Suchen").click()
    results = page.locator("#ergebnisse")
    results.get_by_text("1 Angebot gefunden").wait_for()
    # The count is announced: htmx fills the page's own live region (role=status).
    status = page.locator("#ergebnisse-status[role=status]")
    page.wait_for_function("document.getElementById('ergebnisse-status').textContent.includes('1 Angebot')")
    assert status.inner_text().strip() == "1 Angebot gefunden – für Lippstadt"
    assert "sprache=tr" in page.url and "ort=Lippstadt" in page.url  # shareable link
    assert "Beratung auf Deutsch" not in results.inner_text()
    assert_no_axe_violations(page)
    results.get_by_role("link", name=re.compile("Lichtblick")).click()
    page.get_by_role("heading", level=1, name=re.compile("Lichtblick")).wait_for()
    assert "Türkisch" in page.content() and page.title() == "Informationen"
    assert_no_axe_violations(page)
    # Back to the same search by keyboard alone (the card of the htmx results carried it).
    tab_to(page, "Zurück zur Suche")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hilfe/\?"))
    assert page.get_by_label("Ort oder Postleitzahl").input_value() == "Lippstadt"
    assert page.get_by_label("Sprache der Beratung").input_value() == "tr"
    page.locator("#ergebnisse").get_by_text("1 Angebot gefunden").wait_for()
    tab_to(page, "Lichtblick")
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name=re.compile("Lichtblick")).wait_for()
    page.get_by_role("link", name="Seite schnell verlassen").click()
    page.wait_for_url(re.compile(r"/healthz$"))
    assert not page.context.cookies()


def test_finder_works_without_javascript(chromium_browser, live_server, scenario):
    from schutznetz.testing.browser import new_context

    context = new_context(chromium_browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/hilfe/")
        page.get_by_label("Ort oder Postleitzahl").fill("59555")
        page.get_by_label("Sprache der Beratung").select_option("tr")
        page.get_by_role("button", name="Suchen").click()
        page.get_by_role("link", name=re.compile("Lichtblick")).wait_for()
        assert "ort=59555" in page.url
    finally:
        context.close()


def test_axe_on_other_finder_pages(browser_page, live_server, scenario, shelter):
    browser_page.set_default_timeout(30_000)
    for path in (
        "/hilfe/leichte-sprache/",
        "/en/hilfe/?q=beratung",
        f"/hilfe/angebot/{shelter.hsds_id}/",
        "/hilfe/?art=zauberei&ort=Atlantis",
    ):
        browser_page.goto(live_server.url + path)
        assert_no_axe_violations(browser_page)
