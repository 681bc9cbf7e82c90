"""Browser: the dashboard passes axe (WCAG 2.1 A/AA); the annual report is started and offered for download."""

import urllib.request

import pytest

from schutznetz.accounts.models import Role
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import log_in
from schutznetz.testing.factories import make_organisation, make_user

from .conftest import at, make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_server(live_server):
    urllib.request.urlopen(live_server.url + "/konto/login/", timeout=120).read()  # noqa: S310
    return live_server


def test_dashboard_is_accessible_and_starts_the_annual_report(live_server, browser_page):
    org = make_organisation("Beratung Browser")
    for category, n in (("stalking", 7), ("haeusliche_gewalt", 12), ("kindeswohlgefaehrdung", 2)):
        for _ in range(n):
            make_case(org, at(2025, 3, 1), category=category)
    make_user(username="koordination-stat", organisation=org, roles=[Role.KOORDINATION])
    page = browser_page
    log_in(page, live_server.url, "koordination-stat")
    page.goto(live_server.url + "/intern/statistik/?year=2025")
    assert page.get_by_role("heading", name="Fälle nach Kategorie", level=2).is_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Berichtsjahr").select_option("2025")
    page.get_by_label("Format").select_option("json")
    page.get_by_role("button", name="Jahresbericht erstellen").click()
    page.wait_for_url("**/intern/statistik/jahresbericht/*/")
    link = page.get_by_role("link", name="jahresbericht-2025.json herunterladen")
    assert link.is_visible()
    assert_no_axe_violations(page)
