"""The public pages: no cookies, schema.org data, iCal, the form, the personal link, overload."""

import json
import re

import pytest
from django.core import mail as django_mail
from django.db import OperationalError
from django.urls import reverse
from icalendar import Calendar

from schutznetz.events import services
from schutznetz.events.models import Registration, Status
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db


def form_data(number, **extra):
    data = registration_data(number, **extra)
    data["privacy_consent"] = "on"
    return data


def first_link(message, part):
    return next(re.finditer(r"http\S+" + re.escape(part) + r"\S*", message.body)).group(0)


def path_of(url):
    return "/" + url.split("/", 3)[3]


def test_list_and_detail_set_no_cookie_and_carry_event_json_ld(client, event):
    response = client.get(reverse("events:list"))
    assert response.status_code == 200 and event.title in response.content.decode()
    assert not response.cookies
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    assert not response.cookies
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@type"] == "Event" and data["name"] == event.title
    assert data["location"]["address"]["addressLocality"] == "Soest"
    assert data["isAccessibleForFree"] is True


def test_json_ld_cannot_break_out_of_script(client, make_event):
    event = make_event(title="Böse </script><script>alert(1)</script>")
    html = client.get(event.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == event.title


def test_unpublished_event_is_not_public(client, make_event):
    event = make_event(is_published=False)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert event.title not in client.get(reverse("events:list")).content.decode()


def test_ical_feed_lists_published_events(client, event, make_event):
    hidden = make_event(is_published=False)
    response = client.get(reverse("events:calendar"))
    assert response["Content-Type"].startswith("text/calendar")
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert event.title in summaries and hidden.title not in summaries
    single = client.get(reverse("events:event_ics", args=[event.slug]))
    assert Calendar.from_ical(single.content).walk("VEVENT")[0]["location"].startswith("Fachhochschule")


def test_registration_through_the_form_then_confirm_by_post(client, event):
    response = client.post(event.get_absolute_url(), form_data(1))
    # Post/Redirect/Get: reloading the page that follows does not send the form again.
    assert response.status_code == 303 and not response.cookies
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "Postfach" in response.content.decode()
    assert not response.cookies
    registration = Registration.objects.get()
    assert registration.status == Status.PENDING
    confirm_url = path_of(first_link(django_mail.outbox[0], "/bestaetigen/"))
    # A GET (a mail scanner following the link) does not confirm.
    page = client.get(confirm_url)
    assert page.status_code == 200 and not page.cookies
    registration.refresh_from_db()
    assert registration.email_confirmed_at is None
    response = client.post(confirm_url)
    assert response.status_code == 303
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    response = client.get(response["Location"])
    assert (
        "Ticket" in response.content.decode() and "Ihre Anmeldung ist bestätigt" in response.content.decode()
    )


def test_form_errors_name_the_field_and_change_nothing(client, event):
    data = form_data(1, email="keine-adresse")
    del data["privacy_consent"]
    response = client.post(event.get_absolute_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "E-Mail-Adresse:" in html and "Datenschutzhinweisen" in html
    assert not Registration.objects.exists()


def test_honeypot_pretends_success_but_stores_nothing(client, event):
    person = client.post(event.get_absolute_url(), form_data(1))
    Registration.objects.all().delete()
    django_mail.outbox.clear()
    response = client.post(event.get_absolute_url(), {**form_data(2), "website": "http://spam.example"})
    # The same answer as for a person, down to the address of the page that follows (but for the
    # time stamp in the signed receipt: "<event>:<time>:<signature>").
    assert response.status_code == 303
    assert response["Location"].split(":")[0] == person["Location"].split(":")[0]
    assert "Postfach" in client.get(response["Location"]).content.decode()
    assert not Registration.objects.exists()
    assert not django_mail.outbox


def test_rate_limit_per_address(client, event, settings):
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 2
    statuses = [client.post(event.get_absolute_url(), form_data(n)).status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    assert Registration.objects.count() == 2


def test_manage_link_changes_and_cancels(client, event):
    registration = services.register(event.pk, **registration_data(1)).registration
    services.confirm(registration.pk)
    manage_url = reverse("events:manage", args=[registration.token])
    page = client.get(manage_url)
    assert page.status_code == 200 and "Person 1" in page.content.decode() and not page.cookies
    response = client.post(
        manage_url,
        {"name": "Person Eins", "organisation_name": "", "profession": "beratung", "accessibility_needs": ""},
    )
    assert response.status_code == 303
    registration.refresh_from_db()
    assert (registration.name, registration.profession) == ("Person Eins", "beratung")
    assert "Ihre Änderungen sind gespeichert." in client.get(response["Location"]).content.decode()
    response = client.post(reverse("events:cancel", args=[registration.token]), {"bestaetigung": "ja"})
    assert response.status_code == 303
    registration.refresh_from_db()
    assert registration.status == Status.CANCELLED


def test_wrong_token_is_404(client, event):
    assert client.get(reverse("events:manage", args=["x" * 43])).status_code == 404
    assert client.post(reverse("events:cancel", args=["x" * 43])).status_code == 404


def test_ticket_pdf_only_for_confirmed(client, event):
    registration = services.register(event.pk, **registration_data(1)).registration
    url = reverse("events:ticket", args=[registration.token])
    assert client.get(url).status_code == 404
    services.confirm(registration.pk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_locked_database_answers_503_not_500(client, event, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "register", locked)
    response = client.post(event.get_absolute_url(), form_data(1))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Bitte versuchen Sie es gleich noch einmal" in response.content.decode()


def test_other_operational_errors_are_not_hidden(client, event, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: events_registration")

    monkeypatch.setattr(services, "register", broken)
    with pytest.raises(OperationalError):
        client.post(event.get_absolute_url(), form_data(1))


def test_english_pages_and_mail_links_stay_english(client, event):
    response = client.get("/en/veranstaltungen/")
    assert response.status_code == 200 and f"/en/veranstaltungen/{event.slug}/" in response.content.decode()
    response = client.post(f"/en/veranstaltungen/{event.slug}/", form_data(1), follow=True)
    assert response.redirect_chain[0][1] == 303 and "check your" in response.content.decode().lower()
    # Mails follow the language of the pages the person registered on, links included.
    assert "/en/veranstaltungen/anmeldung/" in django_mail.outbox[0].body
