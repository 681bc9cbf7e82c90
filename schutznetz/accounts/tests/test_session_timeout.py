"""The warning before the idle timeout: how long a session has left, staying signed in (WCAG 2.2.1)."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.middleware import SessionRenewalMiddleware
from schutznetz.accounts.models import Role
from schutznetz.testing.factories import login, make_user

pytestmark = pytest.mark.django_db

STATUS = reverse("accounts:session")


def _signed_in(client):
    login(client, make_user(roles=[Role.KOORDINATION]))
    client.get(reverse("core:staff_home"))
    return client.session.session_key


def _last_renewal(key, seconds_ago):
    store = SessionStore(session_key=key)
    store[SessionRenewalMiddleware.KEY] = int(time.time()) - seconds_ago
    store.save()


def _dialog_seconds(response):
    match = re.search(r'id="sn-session"[^>]*data-seconds-left="(\d+)"', response.content.decode(), re.S)
    return int(match.group(1)) if match else None


def test_asking_how_long_is_left_does_not_count_as_activity(client):
    key = _signed_in(client)
    _last_renewal(key, 20 * 60)
    expiry = Session.objects.get(session_key=key).expire_date
    response = client.get(STATUS)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert 9 * 60 - 2 <= response.json()["seconds_left"] <= 10 * 60
    # Neither the row nor the stamp moved: an open tab must not keep a session alive for ever.
    assert Session.objects.get(session_key=key).expire_date == expiry
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert client.get(STATUS).json()["seconds_left"] <= 10 * 60


def test_staying_signed_in_renews_the_session(client):
    key = _signed_in(client)
    _last_renewal(key, 20 * 60)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=10))
    response = client.post(STATUS)
    assert response.status_code == 200
    assert response.json() == {"seconds_left": 30 * 60}
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + timedelta(minutes=29)
    assert client.get(STATUS).json()["seconds_left"] >= 30 * 60 - 2


def test_staying_signed_in_needs_the_form_token():
    client = Client(enforce_csrf_checks=True)
    _signed_in(client)
    assert client.post(STATUS).status_code == 403
    page = client.get(reverse("core:staff_home")).content.decode()
    token = re.search(
        r'data-session-renew>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', page
    )
    assert token, "the dialog's form carries the token"
    assert client.post(STATUS, {"csrfmiddlewaretoken": token.group(1)}).status_code == 200


def test_an_ended_session_is_sent_to_the_login_page(client):
    key = _signed_in(client)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(STATUS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Client().get(STATUS).status_code == 302


def test_signed_in_pages_carry_the_warning_with_the_time_left(client):
    key = _signed_in(client)
    # The page renews a stamp older than a minute, so it reports the full idle time ...
    _last_renewal(key, 5 * 60)
    assert _dialog_seconds(client.get(reverse("core:staff_home"))) == 30 * 60
    # ... and within the minute what is left of it.
    _last_renewal(key, 40)
    assert 30 * 60 - 42 <= _dialog_seconds(client.get(reverse("accounts:users"))) <= 30 * 60 - 40
    page = client.get(reverse("core:staff_home")).content.decode()
    assert "Angemeldet bleiben" in page and "30 Minuten ohne Aktivität" in page
    assert 'data-warning-seconds="300"' in page


def test_public_pages_never_carry_it(client):
    assert _dialog_seconds(Client().get(reverse("core:home"))) is None
    _signed_in(client)
    # A signed-in colleague looking at the help finder gets the page every visitor gets.
    assert "sn-session" not in client.get(reverse("core:home")).content.decode()
    assert "sn-session" not in client.get(reverse("directory:finder")).content.decode()


def test_the_english_pages_warn_in_english(client):
    _signed_in(client)
    page = client.get("/en/intern/").content.decode()
    assert "Stay signed in" in page and "30 minutes without activity" in page
    assert "Angemeldet bleiben" not in page


def test_every_save_is_stamped_so_the_stamp_tells_the_end():
    """A request that writes the session anyway (here: sign-in data) stamps it, even when it does
    not count as activity, because the row's expiry moves with every save."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    store = SessionStore()
    store[SessionRenewalMiddleware.KEY] = int(time.time()) - 10
    store.save()
    store = SessionStore(session_key=store.session_key)
    request = RequestFactory().get("/intern/")
    request.session = store

    def view(request):
        request.session["something"] = 1
        request.session_renewal_skipped = True
        return HttpResponse()

    SessionRenewalMiddleware(view)(request)
    assert store[SessionRenewalMiddleware.KEY] >= int(time.time()) - 1
