"""The status page, the card and the reminder leave no trace that tells what happened.

Browsers ignore ``autocomplete="off"`` on password fields when they offer to save a
"password": a code field followed by a PIN field looks like a login form, and a saved entry
would show anyone who opens the browser's password list the code and PIN of the kit.
``one-time-code`` marks the PIN as a code used once, which password managers do not save.

What the person carries home (the card) and what reaches her mailbox (the reminder) may be
seen by the person she is hiding from: the address printed there must not name the topic.
"""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from schutznetz.evidence import services
from schutznetz.evidence.models import Kit, ReminderChannel
from schutznetz.testing.factories import login

from .conftest import at_institute, register

pytestmark = pytest.mark.django_db

TELLING = ("spur", "gewalt", "vergewaltigung", "missbrauch")


def _input(html, name):
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def _telling_words(text):
    lowered = text.lower()
    return [word for word in TELLING if word in lowered]


def _path(url):
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_code_and_pin_are_not_offered_to_password_managers_or_form_history(client, prefix):
    url = prefix + reverse("evidence:status")
    for response in (client.get(url), client.post(url, {"code": "K7QM-4XNP-R", "pin": "1234"})):
        html = response.content.decode()
        pin = _input(html, "pin")
        assert 'type="password"' in pin  # not shown on screen
        assert 'autocomplete="one-time-code"' in pin
        assert 'autocomplete="off"' in _input(html, "code")
        assert "1234" not in html


def test_card_prints_a_neutral_address_that_opens_the_status_page(client, sites):
    kit, pin = register(sites)
    login(client, sites.clinic_user)
    card = client.post(reverse("evidence:kit_card", args=[kit.pk]), {"pin": pin})
    # Opened to print, never saved as a download that keeps the PIN readable on the clinic PC.
    assert card["Content-Disposition"].startswith("inline;") and "no-store" in card["Cache-Control"]
    text = PdfReader(io.BytesIO(card.content)).pages[0].extract_text()
    assert kit.code in text
    assert _telling_words(text) == []
    # The PDF may wrap the address; it is the card's last line.
    url = text.split("Stand abfragen:")[1].replace("\n", "").strip()
    page = Client().get(_path(url))
    assert page.status_code == 200 and 'name="pin"' in page.content.decode()


def test_reminder_mail_links_a_neutral_address(sites, mailoutbox):
    kit, _pin = at_institute(
        sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="sicher@example.org"
    )
    Kit.objects.filter(pk=kit.pk).update(retention_until=timezone.localdate() + timedelta(days=10))
    services.send_due_reminders()
    [mail] = mailoutbox
    assert _telling_words(mail.subject + mail.body) == []
    url = re.search(r"https?://\S+", mail.body).group(0)
    assert Client().get(_path(url)).status_code == 200


def test_address_on_cards_already_handed_out_keeps_working(client):
    response = client.get("/spurensicherung/status/")
    assert response.status_code == 200 and 'name="pin"' in response.content.decode()
    assert "no-store" in response["Cache-Control"] and not response.cookies


def test_reminder_comes_from_the_neutral_sender(sites, mailoutbox, settings):
    settings.SCHUTZNETZ_NEUTRAL_EMAIL_FROM = "Terminerinnerung <noreply@kreis-soest.de>"
    kit, _pin = at_institute(
        sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="sicher@example.org"
    )
    Kit.objects.filter(pk=kit.pk).update(retention_until=timezone.localdate() + timedelta(days=10))
    services.send_due_reminders()
    [mail] = mailoutbox
    assert mail.from_email == "Terminerinnerung <noreply@kreis-soest.de>"
    assert mail.from_email != settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize(
    ("sender", "problem"),
    [
        ("schutznetz <noreply@kreis-soest.de>", "schutznetz.W002"),
        ("Erinnerung <noreply@frauenberatung-soest.de>", "schutznetz.W002"),
        ("Terminerinnerung <spurensicherung@kreis-soest.de>", "schutznetz.W002"),
        ("Terminerinnerung <noreply@example.invalid>", "schutznetz.W001"),
        ("", "schutznetz.W001"),
        ("Terminerinnerung <noreply@kreis-soest.de>", None),
    ],
)
def test_deploy_check_warns_about_a_telling_sender(settings, sender, problem):
    from django.core import checks

    settings.SCHUTZNETZ_NEUTRAL_EMAIL_FROM = sender
    found = [
        m.id for m in checks.run_checks(include_deployment_checks=True) if m.id.startswith("schutznetz.")
    ]
    assert found == ([problem] if problem else [])
