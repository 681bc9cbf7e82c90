"""The public registration form as a participant meets it on a phone and with the keyboard
(the browser walk is in test_browser.py; these pin the markup it relies on)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from schutznetz.events import services
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db


def test_email_typo_gets_a_message_that_says_sie(client, event):
    data = {**registration_data(1, email="person1example.org"), "privacy_consent": "on"}
    html = client.post(event.get_absolute_url(), data).content.decode()
    assert "E-Mail-Adresse: Bitte geben Sie eine gültige E-Mail-Adresse an." in html
    assert "Gib eine" not in html


def event_header(html):
    return html.split("<article", 1)[1].split("</header>", 1)[0]


def test_a_link_near_the_top_leads_to_the_form(client, make_event):
    event = make_event(capacity=1)
    html = client.get(event.get_absolute_url()).content.decode()
    header = event_header(html)
    assert re.search(r'<a class="kern-link" href="#anmeldung"[^>]*>Zur Anmeldung</a>', header)
    services.register(event.pk, **registration_data(1))
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Zur Anmeldung auf die Warteliste</a>" in event_header(html)
    # No link to a form that is not there.
    event.registration_closes_at = timezone.now() - timedelta(minutes=1)
    event.registration_opens_at = timezone.now() - timedelta(days=1)
    event.save()
    assert 'href="#anmeldung"' not in client.get(event.get_absolute_url()).content.decode()


def test_consent_box_is_described_by_the_privacy_notice(client, event, settings):
    settings.SCHUTZNETZ_EVENT_RETENTION_DAYS = 60
    html = client.get(event.get_absolute_url()).content.decode()
    box = re.search(r'<input type="checkbox" name="privacy_consent"[^>]*>', html).group(0)
    assert 'aria-describedby="id_privacy_consent_helptext"' in box
    notice = re.search(
        r'<div class="kern-hint" id="id_privacy_consent_helptext">(.*?)</div>', html, re.S
    ).group(1)
    assert "60 Tage nach der Veranstaltung gelöscht" in notice
    # The notice comes before the button, so it is read before sending.
    assert html.index('id_privacy_consent_helptext">') < html.index('type="submit"')


def test_programme_names_the_room_under_the_title_for_narrow_screens(client, make_event):
    event = make_event(workshops=[10])
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<span class="sn-ev-room-inline">Raum: Raum 1</span>' in html
    assert '<td class="kern-table__cell sn-ev-room">Raum 1</td>' in html
