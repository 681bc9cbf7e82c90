"""Browser: a Frauenhaus editor on a phone reports free places and declined requests in one step."""

import pytest

from schutznetz.directory.models import ShelterReport
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import new_context
from schutznetz.testing.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_report_with_declined_requests(chromium_browser, live_server, anbieter, shelter):
    context = new_context(
        chromium_browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/konto/login/")
        page.get_by_label("Anmeldename").fill(anbieter.username)
        page.get_by_label("Passwort").fill(PASSWORD)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(live_server.url + "/intern/")
        page.goto(f"{live_server.url}/intern/frauenhaeuser/{shelter.pk}/meldung/")
        page.get_by_label("Freie Plätze jetzt").fill("0")
        # Folded away until needed; one tap opens it.
        assert not page.get_by_label("Kein freier Platz").is_visible()
        page.get_by_text("Anfragen, die seit der letzten Meldung nicht aufgenommen werden konnten").click()
        page.get_by_label("Kein freier Platz").fill("2")
        page.get_by_label("Sicherheitsgründe").fill("1")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Jetzt melden").click()
        page.get_by_text("Danke – die Meldung ist gespeichert.").wait_for()
        assert "3 (Kein freier Platz: 2, Sicherheitsgründe: 1)" in page.content()
    finally:
        context.close()
    saved = ShelterReport.objects.get()
    assert (saved.free_places, saved.declined_no_place, saved.declined_safety, saved.declined_other) == (
        0,
        2,
        1,
        0,
    )
