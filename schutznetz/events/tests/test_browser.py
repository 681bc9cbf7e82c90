"""In the browser: register, confirm by the mail link, get the .ics, cancel, and the next person moves up."""

import re

import pytest
from django.core import mail as django_mail
from icalendar import Calendar

from schutznetz.events import services
from schutznetz.events.models import Registration, Status
from schutznetz.events.tests.conftest import registration_data
from schutznetz.testing.axe import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _link(message, part):
    return re.search(r"http\S*" + re.escape(part) + r"\S*", message.body).group(0)


def test_register_confirm_cancel_promotes_next(browser_page, live_server, settings, make_event):
    settings.SCHUTZNETZ_SITE_URL = live_server.url
    event = make_event(capacity=1, workshops=[20])
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/veranstaltungen/")
    assert_no_axe_violations(page)
    page.get_by_role("link", name=event.title).click()
    page.wait_for_url(re.compile(re.escape(event.get_absolute_url())))
    assert_no_axe_violations(page)
    assert page.context.cookies() == []

    page.get_by_label("Vor- und Nachname").fill("Hanna Browser")
    page.get_by_label("E-Mail-Adresse").fill("hanna@example.org")
    page.get_by_label("Organisation / Dienststelle").fill("Frauenberatung")
    page.get_by_label("Beratung").check()
    page.get_by_label(re.compile("Workshop A")).check()
    page.get_by_label(re.compile("Datenschutzhinweise")).check()
    page.get_by_role("button", name="Verbindlich anmelden").click()
    page.get_by_role("heading", name=re.compile("Postfach")).wait_for()
    assert page.context.cookies() == []

    please_confirm = django_mail.outbox[-1]
    assert please_confirm.to == ["hanna@example.org"]
    page.goto(_link(please_confirm, "/bestaetigen/"))
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Ja, Anmeldung bestätigen").click()
    page.get_by_text("Ihre Anmeldung ist bestätigt").wait_for()
    assert_no_axe_violations(page)

    confirmation = django_mail.outbox[-1]
    assert "bestätigt" in confirmation.subject
    filename, ics, mimetype = confirmation.attachments[0]
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    assert str(Calendar.from_ical(ics).walk("VEVENT")[0]["summary"]) == event.title
    hanna = Registration.objects.get(event=event, status=Status.CONFIRMED)
    assert [w.title for w in hanna.workshops.all()] == ["Workshop A"]

    # Someone else is on the waiting list (address confirmed).
    waiting = services.register(event.pk, **registration_data(2, name="Wilma Warteliste")).registration
    services.confirm(waiting.pk)
    assert Registration.objects.get(pk=waiting.pk).status == Status.WAITLIST
    mails_before = len(django_mail.outbox)

    page.goto(_link(confirmation, "/veranstaltungen/anmeldung/"))
    page.get_by_role("button", name="Anmeldung stornieren").click()
    page.get_by_text("Ihre Anmeldung ist storniert").wait_for()
    assert page.locator("#status").get_attribute("data-status") == "cancelled"

    assert Registration.objects.get(pk=waiting.pk).status == Status.CONFIRMED
    new_mails = django_mail.outbox[mails_before:]
    promoted = [m for m in new_mails if m.to == ["person2@example.org"]]
    assert promoted and "Platz ist frei geworden" in promoted[0].subject
    # The promoted person sees it through their own link.
    page.goto(_link(promoted[0], "/veranstaltungen/anmeldung/"))
    assert page.locator("#status").get_attribute("data-status") == "confirmed"
    assert_no_axe_violations(page)


# On a phone the programme needs no sideways scrolling, a link leads to the form, and a field
# reached from the error summary is not hidden under the sticky quick-exit bar (over 100 px high).
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
SCROLL_SETTLED = """() => {
    const y = window.scrollY;
    if (window.__snLastY === y) { window.__snStill = (window.__snStill || 0) + 1; }
    else { window.__snStill = 0; window.__snLastY = y; }
    return window.__snStill >= 10;
}"""
FOCUS_BELOW_BAR = """() => {
    const field = document.activeElement.getBoundingClientRect();
    const bar = document.querySelector('.sn-quick-exit').getBoundingClientRect();
    return field.top >= bar.bottom;
}"""


def _focused(page):
    return page.evaluate("document.activeElement.id || document.activeElement.getAttribute('href') || ''")


def _tab_to(page, target, limit=30):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == target:
            return
    raise AssertionError(f"{target} is not reachable with the Tab key")


def test_register_on_a_phone_with_the_keyboard_only(chromium_browser, live_server, make_event):
    from schutznetz.testing.browser import new_context

    event = make_event(capacity=5, workshops=[20])
    context = new_context(chromium_browser, **PHONE)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(live_server.url + event.get_absolute_url())
        assert_no_axe_violations(page)
        # The whole programme fits the screen, the room included.
        assert (
            page.evaluate("document.querySelector('.sn-ev-programme').getBoundingClientRect().right") <= 360
        )
        assert page.get_by_text("Raum: Raum 1").is_visible()

        _tab_to(page, "zur-anmeldung")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert _focused(page) == "id_name"
        page.keyboard.type("Jana Jugendamt")
        page.keyboard.press("Tab")
        page.keyboard.type("jana.example.org")  # the @ forgotten
        page.keyboard.press("Tab")
        page.keyboard.type("Jugendamt Lippstadt")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")  # the first Berufsfeld: Jugendhilfe
        _tab_to(page, "id_privacy_consent")
        # The privacy notice under the box reads as text, not one word a line.
        assert page.locator("#id_privacy_consent_helptext").bounding_box()["width"] > 200
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        summary = page.get_by_role("alert")
        summary.wait_for()
        assert "Bitte geben Sie eine gültige E-Mail-Adresse an." in summary.inner_text()
        page.keyboard.press("Tab")
        assert _focused(page) == "#id_email"
        page.keyboard.press("Enter")
        assert _focused(page) == "id_email"
        page.wait_for_function(SCROLL_SETTLED, polling="raf")
        assert page.evaluate(FOCUS_BELOW_BAR), "the field is hidden under the quick-exit bar"
        page.keyboard.press("Control+A")
        page.keyboard.type("jana@example.org")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_role("heading", name=re.compile("Postfach")).wait_for()
        assert context.cookies() == []
    finally:
        context.close()
    registration = Registration.objects.get(event=event)
    assert (registration.name, registration.profession) == ("Jana Jugendamt", "jugendhilfe")


def test_cancel_asks_first_with_and_without_javascript(chromium_browser, live_server, make_event):
    """Without JavaScript the manage page's button leads to the question page (keyboard only);
    with it, the browser's dialog asks, and "Abbrechen" cancels nothing."""
    from schutznetz.testing.browser import new_context

    event = make_event(capacity=5)
    first = services.register(event.pk, **registration_data(1)).registration
    second = services.register(event.pk, **registration_data(2)).registration
    for registration in (first, second):
        services.confirm(registration.pk)

    no_js = new_context(chromium_browser, java_script_enabled=False)
    no_js.set_default_timeout(30_000)
    try:
        page = no_js.new_page()
        page.goto(live_server.url + f"/veranstaltungen/anmeldung/{first.token}/")
        button = page.get_by_role("button", name="Anmeldung stornieren")
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_role("heading", level=1, name="Anmeldung stornieren").wait_for()
        assert "wirklich stornieren" in page.content()
        assert Registration.objects.get(pk=first.pk).status == Status.CONFIRMED
        # Answered with the keyboard as well.
        page.get_by_role("button", name="Ja, stornieren").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.get_by_text("Ihre Anmeldung ist storniert").wait_for()
        assert Registration.objects.get(pk=first.pk).status == Status.CANCELLED
        # Reloading the page that follows cancels nothing more and asks nothing.
        page.reload()
        assert page.locator("#status").get_attribute("data-status") == "cancelled"
    finally:
        no_js.close()

    js = new_context(chromium_browser)
    js.set_default_timeout(30_000)
    try:
        page = js.new_page()
        page.goto(live_server.url + f"/veranstaltungen/anmeldung/{second.token}/")
        questions = []

        def answer(dialog):
            questions.append(dialog.message)
            dialog.dismiss() if len(questions) == 1 else dialog.accept()

        page.on("dialog", answer)
        page.get_by_role("button", name="Anmeldung stornieren").click()
        assert questions == ["Anmeldung wirklich stornieren?"]
        assert page.locator("#status").get_attribute("data-status") == "confirmed"
        assert Registration.objects.get(pk=second.pk).status == Status.CONFIRMED
        with page.expect_navigation():
            page.get_by_role("button", name="Anmeldung stornieren").click()
        page.get_by_text("Ihre Anmeldung ist storniert").wait_for()
        assert len(questions) == 2  # one question, no second page asking again
        assert Registration.objects.get(pk=second.pk).status == Status.CANCELLED
        assert_no_axe_violations(page)
        # The question page and the page for an outdated receipt pass axe too.
        page.goto(live_server.url + f"/veranstaltungen/anmeldung/{first.token}/stornieren/")
        assert_no_axe_violations(page)
        page.goto(live_server.url + f"/veranstaltungen/{event.slug}/angemeldet/abgelaufen/")
        page.get_by_role("heading", level=1, name="Diese Seite ist nicht mehr gültig").wait_for()
        assert_no_axe_violations(page)
    finally:
        js.close()
