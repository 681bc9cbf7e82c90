"""Login lock-out, idle sessions, mandatory MFA, the admin for Koordination, demo data."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts import demo
from schutznetz.accounts.backends import SignInBackend
from schutznetz.accounts.middleware import SessionRenewalMiddleware
from schutznetz.accounts.models import Organisation, Role, User, UserRole
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import PASSWORD, login, make_user, post_login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_login_limits")]


def test_login_with_password(client):
    make_user(username="anmeldung", roles=[Role.KOORDINATION], demo=False)
    response = post_login(client, "anmeldung", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:staff_home")


def test_five_failed_logins_lock_the_account(client):
    make_user(username="gesperrt", roles=[Role.KOORDINATION], demo=False)
    for _ in range(5):
        response = post_login(client, "gesperrt", "falsch-falsch-falsch")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = post_login(client, "gesperrt", PASSWORD)
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by these attempts.
    make_user(username="kollegin", roles=[Role.KOORDINATION], demo=False)
    assert post_login(client, "kollegin", PASSWORD).status_code == 302


def _age_last_renewal(key, seconds):
    """Pretend the session was last renewed ``seconds`` ago."""
    store = SessionStore(session_key=key)
    store[SessionRenewalMiddleware.KEY] = int(time.time()) - seconds
    store.save()


def test_idle_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _signed_in_session(client):
    login(client, make_user(roles=[Role.KOORDINATION]))
    client.get(reverse("core:staff_home"))
    return client.session.session_key


def test_session_is_renewed_when_the_last_renewal_is_over_a_minute_old(client):
    key = _signed_in_session(client)
    _age_last_renewal(key, 61)
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    assert client.get(reverse("core:staff_home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=29)


def test_session_is_not_written_again_within_a_minute(client):
    key = _signed_in_session(client)
    _age_last_renewal(key, 30)
    expiry = Session.objects.get(session_key=key).expire_date
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.get(session_key=key).expire_date == expiry


def test_idle_session_ends(client):
    user = make_user(roles=[Role.KOORDINATION])
    login(client, user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_fachkraft_without_mfa_is_sent_to_totp_setup(client):
    make_user(username="fachkraft", roles=[Role.FACHKRAFT], demo=False)
    assert post_login(client, "fachkraft", PASSWORD).status_code == 302
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The setup page itself stays reachable and needs no inline script.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert b'name="code"' in page.content
    assert b"<script>" not in page.content and b" onclick=" not in page.content
    # User management under /konto/ is not reachable without the second factor.
    assert client.get(reverse("accounts:users"))["Location"] == reverse("mfa_activate_totp")
    assert client.get("/en/intern/")["Location"] == reverse("mfa_activate_totp")


def test_a_session_signed_in_with_totp_is_not_checked_again_on_every_request(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schutznetz.core.tests.test_browser import fresh_totp_code

    user = make_user(username="zweiter-faktor", roles=[Role.FACHKRAFT], demo=False)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert post_login(client, "zweiter-faktor", PASSWORD)["Location"] == reverse("mfa_authenticate")
    code = fresh_totp_code(secret)
    assert client.post(reverse("mfa_authenticate"), {"code": code})["Location"] == reverse("core:staff_home")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:staff_home")).status_code == 200
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]
    # A session without the second factor (signed in some other way) is still checked.
    client.logout()
    user.authenticator_set.all().delete()
    login(client, user)
    assert client.get(reverse("core:staff_home"))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Role.FACHKRAFT, Role.MODERATION, Role.SPURENSICHERUNG])
def test_roles_seeing_case_or_evidence_content_need_mfa(role):
    assert make_user(roles=[role], demo=False).needs_mfa


@pytest.mark.parametrize("role", [Role.KOORDINATION, Role.ORG_ADMIN])
def test_roles_that_can_invite_a_fachkraft_need_mfa(role):
    """Their password alone would otherwise open a Fachkraft account of an attacker's own."""
    assert make_user(roles=[role], demo=False).needs_mfa


@pytest.mark.parametrize("role", [Role.ANBIETER])
def test_other_roles_are_not_forced(client, role):
    user = make_user(roles=[role], demo=False)
    assert not user.needs_mfa
    login(client, user)
    assert client.get(reverse("core:staff_home")).status_code == 200


def test_fachkraft_with_totp_passes(client):
    user = make_user(roles=[Role.FACHKRAFT], demo=False)
    TOTP.activate(user, generate_totp_secret())
    login(client, user)
    assert client.get(reverse("core:staff_home")).status_code == 200


def test_demo_user_skips_mfa_only_in_development(client, settings):
    user = make_user(roles=[Role.FACHKRAFT], demo=True)
    login(client, user)
    settings.SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA = True
    assert client.get(reverse("core:staff_home")).status_code == 200
    settings.SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA = False
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_demo_bypass_follows_schutznetz_debug(settings):
    # settings.py derives it from SCHUTZNETZ_DEBUG; the tests run with SCHUTZNETZ_DEBUG=1.
    import os

    assert settings.SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA is (os.environ["SCHUTZNETZ_DEBUG"] == "1")


def test_api_is_guarded_by_mfa_too(client):
    user = make_user(roles=[Role.FACHKRAFT], demo=False)
    login(client, user)
    response = client.get("/api/v1/")
    assert response.status_code == 302


def test_admin_only_for_koordination(client):
    for role in (Role.FACHKRAFT, Role.DATENSCHUTZ, Role.ORG_ADMIN, Role.ANBIETER):
        client.logout()
        login(client, make_user(roles=[role]))
        response = client.get("/verwaltung/")
        assert response.status_code in (302, 403), role
        assert client.get("/verwaltung/core/auditentry/").status_code in (302, 403)
    client.logout()
    response = client.get("/verwaltung/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    login(client, make_user(roles=[Role.KOORDINATION]))
    response = client.get("/verwaltung/")
    assert response.status_code == 200
    assert "Audit-Protokoll" in response.content.decode()
    assert client.get("/verwaltung/accounts/organisation/").status_code == 200


def test_koordination_cannot_make_anyone_superuser_in_admin(client):
    koord = make_user(roles=[Role.KOORDINATION])
    login(client, koord)
    page = client.get(f"/verwaltung/accounts/user/{koord.pk}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content
    assert b'name="user_permissions"' not in page.content
    client.post(
        f"/verwaltung/accounts/user/{koord.pk}/change/",
        {"username": koord.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
    )
    koord.refresh_from_db()
    assert not koord.is_superuser and not koord.is_staff


def test_audit_log_in_admin_is_read_only(client):
    login(client, make_user(roles=[Role.KOORDINATION]))
    entry = AuditEntry.objects.first()
    assert client.get(f"/verwaltung/core/auditentry/{entry.pk}/change/").status_code == 200
    response = client.post(f"/verwaltung/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        UserRole.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_accounts_loader_is_idempotent():
    demo.load(StringIO())
    first = counts()
    assert first[0] >= 14 and first[1] == len(demo.DEMO_USERS)
    demo.load(StringIO())
    assert counts() == first
    for username, (org_name, roles) in demo.DEMO_USERS.items():
        user = User.objects.get(username=username)
        assert user.is_demo and user.check_password(demo.DEMO_PASSWORD)
        assert user.organisation.name == org_name
        assert user.role_set == set(roles)


def test_demo_has_the_partners_of_the_press_release():
    demo.load(StringIO())
    names = set(Organisation.objects.values_list("name", flat=True))
    for expected in [
        "Kreisjugendamt Soest",
        "Jugendamt der Stadt Lippstadt",
        "Jugendamt der Stadt Soest",
        "Jugendamt der Stadt Warstein",
        "Staatsanwaltschaft Arnsberg",
        "Kreispolizeibehörde Soest",
        "Gesundheitsamt Kreis Soest",
        "Frauenberatung Soest",
        "Frauenhaus Soest",
        "Kinderschutzbund Kreisverband Soest",
    ]:
        assert expected in names
    for court in ("Soest", "Lippstadt", "Warstein", "Werl"):
        assert any(court in name and "Amtsgericht" in name for name in names)
    assert set(demo.DEMO_USERS) == {
        "demo-koordination",
        "demo-fachkraft-jugendamt",
        "demo-fachkraft-polizei",
        "demo-fachkraft-beratung",
        "demo-moderation",
        "demo-anbieter",
        "demo-spurensicherung",
        "demo-datenschutz",
    }


def test_demo_roles_are_repaired_on_second_run():
    demo.load(StringIO())
    user = User.objects.get(username="demo-anbieter")
    UserRole.objects.filter(user=user).delete()
    demo.load(StringIO())
    user = User.objects.get(username="demo-anbieter")
    assert user.role_set == {Role.ANBIETER}


def test_session_renewal_leaves_error_pages_alone():
    """After a database failure (503 page) the session is not read again for renewal."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    class SessionThatCannotLoad:
        accessed = True

        def is_empty(self):
            return False

        def get(self, *args):
            raise AssertionError("must not be read")

    request = RequestFactory().get("/intern/")
    request.session = SessionThatCannotLoad()
    middleware = SessionRenewalMiddleware(lambda request: HttpResponse(status=503))
    assert middleware(request).status_code == 503


def test_a_signed_in_request_loads_user_and_roles_in_one_query(client):
    user = make_user(roles=[Role.KOORDINATION, Role.ORG_ADMIN])
    with CaptureQueriesContext(connection) as queries:
        loaded = SignInBackend().get_user(user.pk)
        roles = loaded.role_set
    assert len(queries) == 1
    assert roles == {Role.KOORDINATION, Role.ORG_ADMIN}
    # A role taken away counts from the next request on; a user without roles has none.
    UserRole.objects.filter(user=user, role=Role.KOORDINATION).delete()
    assert SignInBackend().get_user(user.pk).role_set == {Role.ORG_ADMIN}
    login(client, user)
    assert client.get(reverse("accounts:users")).status_code == 200
    UserRole.objects.filter(user=user).delete()
    assert SignInBackend().get_user(user.pk).role_set == frozenset()
    assert client.get(reverse("accounts:users")).status_code == 403


def test_an_inactive_user_is_not_signed_in_by_the_backend():
    user = make_user(roles=[Role.KOORDINATION])
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert SignInBackend().get_user(user.pk) is None
    assert SignInBackend().get_user(10**9) is None


def test_datenschutz_needs_mfa_before_reading_the_logs(client):
    """The access and audit logs tell who opened which case when: a password alone must not open them."""
    from schutznetz.testing.factories import PASSWORD, post_login

    user = make_user("datenschutz-ohne-faktor", roles=[Role.DATENSCHUTZ], demo=False)
    assert user.needs_mfa
    assert post_login(client, "datenschutz-ohne-faktor", PASSWORD).status_code == 302
    setup = reverse("mfa_activate_totp")
    for name in ("core:staff_home", "cases:counts"):
        assert client.get(reverse(name))["Location"] == setup, name
