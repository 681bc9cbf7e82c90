"""Reloading a page after a form never sends the form again (Post/Redirect/Get), and the
manage page's cancel button asks before it cancels, also without JavaScript."""

import time
from unittest import mock

import pytest
from django.core import mail as django_mail
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from schutznetz.core.models import AuditEntry
from schutznetz.events import services, views
from schutznetz.events.models import Registration, Status
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db

INVALID = "Diese Seite ist nicht mehr gültig"


def form_data(number, **extra):
    return {**registration_data(number, **extra), "privacy_consent": "on"}


def receipt_url(event, receipt):
    return reverse("events:registered", args=[event.slug, receipt])


# --- The public registration ----------------------------------------------


def test_registration_answers_a_redirect_to_a_page_that_names_nobody(client, event):
    response = client.post(event.get_absolute_url(), form_data(1, name="Rosa Reloadt"))
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(f"/veranstaltungen/{event.slug}/angemeldet/")
    assert "Rosa" not in location and "person1" not in location and "example.org" not in location
    assert Registration.objects.count() == 1 and len(django_mail.outbox) == 1

    page = client.get(location)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Fast geschafft: Bitte prüfen Sie Ihr Postfach" in html and event.title in html
    assert "Rosa Reloadt" not in html and "person1@example.org" not in html
    assert "no-store" in page["Cache-Control"] and not page.cookies
    assert "noindex" in page["X-Robots-Tag"]

    # Reloading (the browser repeats the GET) registers nobody again and sends no mail.
    again = client.get(location)
    assert again.status_code == 200 and "Postfach" in again.content.decode()
    assert Registration.objects.count() == 1 and len(django_mail.outbox) == 1


def test_the_receipt_holds_the_event_only(client, event):
    """The same receipt for everybody: the address tells nothing about who registered."""
    first = client.post(event.get_absolute_url(), form_data(1))["Location"]
    second = client.post(event.get_absolute_url(), form_data(2))["Location"]
    receipts = [url.rstrip("/").rsplit("/", 1)[1] for url in (first, second)]
    assert [signing.loads(r, salt=views.RECEIPT_SALT) for r in receipts] == [event.pk, event.pk]


@pytest.mark.parametrize(
    "receipt",
    [
        "erfunden",
        "MQ:1vN3Hx:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        pytest.param(None, id="signed-with-another-salt"),
    ],
)
def test_a_forged_receipt_gets_a_clear_message(client, event, receipt):
    receipt = receipt or signing.dumps(event.pk, salt="etwas-anderes")
    response = client.get(receipt_url(event, receipt))
    html = response.content.decode()
    assert response.status_code == 400
    assert INVALID in html and "Fast geschafft" not in html
    assert "E-Mail, die wir Ihnen geschickt haben" in html
    assert "no-store" in response["Cache-Control"] and not response.cookies


def test_an_expired_receipt_gets_the_same_message(client, event):
    two_hours_ago = time.time() - 2 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=two_hours_ago):
        receipt = signing.dumps(event.pk, salt=views.RECEIPT_SALT)
    response = client.get(receipt_url(event, receipt))
    assert response.status_code == 400 and INVALID in response.content.decode()
    # The same receipt, fresh, is fine: only its age was wrong.
    fresh = signing.dumps(event.pk, salt=views.RECEIPT_SALT)
    assert client.get(receipt_url(event, fresh)).status_code == 200


def test_a_receipt_for_another_event_is_not_valid_here(client, event, make_event):
    other = make_event()
    receipt = signing.dumps(other.pk, salt=views.RECEIPT_SALT)
    response = client.get(receipt_url(event, receipt))
    assert response.status_code == 400 and INVALID in response.content.decode()


def test_the_page_after_registration_does_not_exist_for_an_unpublished_event(client, make_event):
    event = make_event(is_published=False)
    receipt = signing.dumps(event.pk, salt=views.RECEIPT_SALT)
    assert client.get(receipt_url(event, receipt)).status_code == 404


def test_the_page_after_registration_refuses_a_post(client, event):
    receipt = signing.dumps(event.pk, salt=views.RECEIPT_SALT)
    assert client.post(receipt_url(event, receipt)).status_code == 405


def test_english_registration_lands_on_the_english_page(client, event):
    response = client.post(f"/en/veranstaltungen/{event.slug}/", form_data(1))
    assert response.status_code == 303 and response["Location"].startswith("/en/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and '<html lang="en">' in page.content.decode()


# --- Confirming the e-mail address, saving changes ----------------------------


def test_confirmation_answers_a_redirect_and_a_reload_changes_nothing(client, event):
    registration = services.register(event.pk, **registration_data(1)).registration
    django_mail.outbox.clear()
    response = client.post(reverse("events:confirm", args=[registration.token]))
    assert response.status_code == 303
    manage_url = reverse("events:manage", args=[registration.token])
    assert response["Location"] == manage_url + "?bestaetigt=1"
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    audits = AuditEntry.objects.count()
    for _reload in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert "Vielen Dank! Ihre Anmeldung ist bestätigt." in page.content.decode()
        assert "noindex" in page["X-Robots-Tag"] and "no-store" in page["Cache-Control"]
    assert len(django_mail.outbox) == 1 and AuditEntry.objects.count() == audits


def test_a_hand_made_notice_flag_claims_nothing_the_registration_does_not_bear_out(client, event):
    registration = services.register(event.pk, **registration_data(1)).registration
    page = client.get(reverse("events:manage", args=[registration.token]) + "?bestaetigt=1&storniert=1")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Vielen Dank!" not in html and "Ihre Anmeldung ist storniert" not in html
    assert "nicht mehr gültig" not in html


def test_saving_changes_answers_a_redirect(client, event):
    registration = services.register(event.pk, **registration_data(1)).registration
    manage_url = reverse("events:manage", args=[registration.token])
    data = {
        "name": "Person Eins",
        "organisation_name": "",
        "profession": "beratung",
        "accessibility_needs": "",
    }
    response = client.post(manage_url, data)
    assert response.status_code == 303 and response["Location"] == manage_url + "?gespeichert=1"
    audits = AuditEntry.objects.count()
    page = client.get(response["Location"])
    assert "Ihre Änderungen sind gespeichert." in page.content.decode()
    assert 'value="Person Eins"' in page.content.decode()
    assert AuditEntry.objects.count() == audits


# --- Cancelling from the manage page ------------------------------------------------


@pytest.fixture
def confirmed(event):
    registration = services.register(event.pk, **registration_data(1)).registration
    services.confirm(registration.pk)
    django_mail.outbox.clear()
    registration.refresh_from_db()
    return registration


def test_the_manage_page_button_sends_no_answer_and_loads_the_asking_script(client, confirmed):
    html = client.get(reverse("events:manage", args=[confirmed.token])).content.decode()
    form = html.split('data-events-cancel="', 1)[1].split("</form>", 1)[0]
    assert form.startswith("Anmeldung wirklich stornieren?")
    assert "bestaetigung" not in form
    assert "events/cancel.js" in html


def test_a_post_without_the_answer_asks_and_cancels_nothing(client, confirmed):
    """The manage page's button without JavaScript: the question page, not a cancellation."""
    url = reverse("events:cancel", args=[confirmed.token])
    for data in ({}, {"bestaetigung": "nein"}, {"bestaetigung": ""}):
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 200
        assert '<h1 class="kern-heading-large">Anmeldung stornieren</h1>' in html
        assert "wirklich stornieren?" in html
        assert '<input type="hidden" name="bestaetigung" value="ja">' in html
        assert "Nein, zurück" in html and "noindex" in response["X-Robots-Tag"]
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED and confirmed.cancelled_at is None
    assert not django_mail.outbox


def test_the_confirmed_post_cancels_and_redirects(client, confirmed):
    url = reverse("events:cancel", args=[confirmed.token])
    response = client.post(url, {"bestaetigung": "ja"})
    assert response.status_code == 303
    manage_url = reverse("events:manage", args=[confirmed.token])
    assert response["Location"] == manage_url + "?storniert=1"
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CANCELLED
    assert len(django_mail.outbox) == 1
    page = client.get(response["Location"])
    assert "Ihre Anmeldung ist storniert." in page.content.decode()
    assert 'data-status="cancelled"' in page.content.decode()
    # Reloading the page shows the same and sends nothing.
    client.get(response["Location"])
    assert len(django_mail.outbox) == 1


def test_cancelling_after_check_in_is_refused_with_the_reason(client, confirmed):
    Registration.objects.filter(pk=confirmed.pk).update(checked_in_at=timezone.now())
    response = client.post(reverse("events:cancel", args=[confirmed.token]), {"bestaetigung": "ja"})
    assert response.status_code == 400
    assert "Nach dem Einchecken kann die Anmeldung nicht mehr storniert werden." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CONFIRMED
