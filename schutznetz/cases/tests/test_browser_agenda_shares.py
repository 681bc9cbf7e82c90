"""Browser flows: the chair adds one case to an agenda by its number; the bringing organisation takes
back one shared section. Keyboard-reachable labels and names, axe on every page the flows visit."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schutznetz.cases import services
from schutznetz.cases.models import AgendaItem, Category, ConferenceKind, PersonRole, Section, SectionShare
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Schutzplan-Notiz Browsertest QX9"
REASON = "Einwilligung umfasst die Notizen nicht"


def test_the_chair_adds_a_case_to_the_agenda_by_its_number(live_server, browser_page, world, seeing_chair):
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), kind=ConferenceKind.AD_HOC,
        invited_organisations=[world.police],
    )  # fmt: skip
    case, _notices = services.create_case(
        world.jugendamt_fk, category=Category.KINDESWOHL, municipality="Werl",
        persons=[{"role": PersonRole.CHILD, "first_name": "Lina", "last_name": "Beispiel", "age": 7}],
    )  # fmt: skip
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)
    log_in(page, base, "moderation-fachkraft")
    page.goto(f"{base}/intern/fallkonferenzen/{conference.pk}/")
    page.get_by_role("link", name="Fall auf die Tagesordnung setzen").click()
    assert_no_axe_violations(page)
    page.get_by_label("Fallnummer").fill("FK-2099-9999")
    page.get_by_role("button", name="Hinzufügen").click()
    expect(page.get_by_text("Kein Fall mit dieser Nummer, den Sie sehen dürfen.").first).to_be_visible()
    assert_no_axe_violations(page)  # the page with its error message, too
    assert not AgendaItem.objects.exists()
    page.get_by_label("Fallnummer").fill(f" {case.number.lower()} ")
    page.get_by_role("button", name="Hinzufügen").click()
    page.wait_for_url(f"{base}/intern/fallkonferenzen/{conference.pk}/")
    expect(page.get_by_text(f"Der Fall {case.number} steht jetzt auf der Tagesordnung.")).to_be_visible()
    assert_no_axe_violations(page)
    assert conference.agenda_items.get().case == case


def test_the_bringing_organisation_takes_back_one_shared_section(
    live_server, browser_page, world, shared_with_beratung
):
    case = shared_with_beratung  # persons shared with the Frauenberatung; notes shared below
    services.share_case(world.polizist, case, world.beratung, [Section.NOTES])
    services.add_note(world.polizist, case, text=NOTE)
    page, base = browser_page, live_server.url
    page.set_default_timeout(30_000)
    log_in(page, base, "polizist")
    page.goto(f"{base}/intern/faelle/{case.pk}/")
    assert_no_axe_violations(page)
    page.get_by_label("Grund (Frauenberatung Test: Notizen)").fill(REASON)
    page.get_by_role("button", name="Freigabe zurücknehmen (Frauenberatung Test: Notizen)").click()
    expect(
        page.get_by_text("Die Freigabe „Notizen“ für Frauenberatung Test wurde zurückgenommen.")
    ).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()  # listed under the revoked shares
    assert_no_axe_violations(page)
    assert not SectionShare.objects.filter(
        case=case, organisation=world.beratung, section=Section.NOTES
    ).exists()
    page.get_by_role("button", name="Abmelden").click()

    log_in(page, base, "beraterin")
    page.goto(f"{base}/intern/faelle/{case.pk}/")
    expect(page.get_by_text("Anna").first).to_be_visible()  # the persons section stays shared
    expect(page.get_by_text(NOTE)).to_have_count(0)
    expect(page.get_by_role("heading", name="Notizen")).to_have_count(0)
    assert_no_axe_violations(page)
