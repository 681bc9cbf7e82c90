"""A sign-in ends after SCHUTZNETZ_SESSION_MAX_SECONDS however busy it is (ASVS 3.3.2)."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from schutznetz.accounts.middleware import SIGNED_IN_AT
from schutznetz.testing.factories import login, make_user

pytestmark = pytest.mark.django_db


def signed_in_hours_ago(client, hours):
    session = client.session
    session[SIGNED_IN_AT] = int(time.time() - hours * 3600)
    session.save()
    return session.session_key


def test_signing_in_stamps_the_session(client):
    login(client, make_user("stempel"))
    assert abs(client.session[SIGNED_IN_AT] - time.time()) < 60


def test_a_busy_session_ends_after_twelve_hours(client):
    login(client, make_user("dauernutzung"))
    assert client.get(reverse("core:staff_home")).status_code == 200
    signed_in_hours_ago(client, 11)
    assert client.get(reverse("core:staff_home")).status_code == 200

    old_key = signed_in_hours_ago(client, 12.1)
    response = client.get(reverse("core:staff_home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("account_login"))
    assert "nach 12 Stunden abgelaufen" in response.content.decode()
    # The old session is gone from the database, not only from this browser.
    assert not Session.objects.filter(session_key=old_key).exists()
    assert client.get(reverse("core:staff_home")).status_code == 302


def test_the_lifetime_is_a_setting(client, settings):
    settings.SCHUTZNETZ_SESSION_MAX_SECONDS = 3600
    login(client, make_user("kurz"))
    signed_in_hours_ago(client, 1.5)
    assert client.get(reverse("core:staff_home")).status_code == 302
