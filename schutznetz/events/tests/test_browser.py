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
