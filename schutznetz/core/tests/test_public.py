"""Public pages keep no trace; every response carries the security headers."""

import json
import logging
from unittest import mock

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from schutznetz.core.decorators import public_page
from schutznetz.core.middleware import PublicPageMiddleware
from schutznetz.testing.factories import login, make_user
from schutznetz.testing.urls import is_public, url_patterns

pytestmark = pytest.mark.django_db

STRIP_WARNING = "auf öffentlicher Seite entfernt"


def assert_no_cookie(response):
    assert "Set-Cookie" not in response.headers, response.headers.get("Set-Cookie")
    assert not response.cookies


@pytest.mark.parametrize("path", ["/", "/en/", "/exit/"])
def test_public_get_sets_no_cookie(client, caplog, path):
    with caplog.at_level(logging.WARNING, logger="schutznetz.core.middleware"):
        response = client.get(path)
    assert response.status_code in (200, 302)
    assert_no_cookie(response)
    # The safety net did not have to strip anything: the page itself set no cookie.
    assert STRIP_WARNING not in caplog.text


def _public_views():
    for route, pattern in url_patterns():
        if is_public(pattern) and not pattern.pattern.converters and "<" not in route and "(" not in route:
            yield route.replace("^", "").replace("$", "").lstrip("/")


def test_every_public_page_without_parameters_sets_no_cookie(client, caplog):
    """Walks all apps' URLs: a public view that sets a cookie (session, CSRF, messages) fails here."""
    paths = sorted(set(_public_views()))
    assert "" in paths and "exit/" in paths
    for path in paths:
        if path.startswith("en/"):
            continue
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="schutznetz.core.middleware"):
            response = client.get("/" + path)
        assert response.status_code < 500, path
        assert_no_cookie(response)
        assert STRIP_WARNING not in caplog.text, f"/{path} setzt ein Cookie: {caplog.text}"


def test_safety_net_strips_and_reports_a_cookie_set_by_a_public_view(caplog):
    @public_page
    def careless(request):
        response = HttpResponse("hallo")
        response.set_cookie("tracking", "1")
        return response

    request = RequestFactory().get("/irgendwo/")
    with caplog.at_level(logging.WARNING, logger="schutznetz.core.middleware"):
        response = PublicPageMiddleware(careless)(request)
    assert not response.cookies
    assert "tracking" in caplog.text and STRIP_WARNING in caplog.text
    assert response.headers["Cache-Control"] == "no-store, max-age=0"


def test_public_page_template_with_csrf_token_would_be_caught(client, caplog, settings):
    """A CSRF cookie comes from middleware outside the view; it is stripped and reported too."""
    from django.middleware.csrf import get_token

    @public_page
    def with_form(request):
        get_token(request)
        return HttpResponse("<form></form>")

    request = RequestFactory().get("/formular/")
    from django.middleware.csrf import CsrfViewMiddleware

    chain = PublicPageMiddleware(CsrfViewMiddleware(with_form))
    with caplog.at_level(logging.WARNING, logger="schutznetz.core.middleware"):
        response = chain(request)
    assert settings.CSRF_COOKIE_NAME in caplog.text
    assert not response.cookies


def test_staff_session_refresh_on_public_page_is_not_reported(client, caplog):
    login(client, make_user())
    with caplog.at_level(logging.WARNING, logger="schutznetz.core.middleware"):
        response = client.get("/")
    assert_no_cookie(response)
    assert STRIP_WARNING not in caplog.text


def test_staff_pages_may_use_cookies_but_are_not_stored(client):
    """Signed-in pages keep their session cookie; what they show stays out of the browser's
    cache and back/forward history (a shared office computer)."""
    user = make_user()
    login(client, user)
    response = client.get(reverse("core:staff_home"))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/en/", "/konto/login/", "/healthz", "/intern/", "/gibt-es-nicht/"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "camera" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_hsts_in_debug(client, settings):
    # Tests run with SCHUTZNETZ_DEBUG=1, so settings.py left HSTS off.
    response = client.get("/", secure=True)
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_when_not_in_debug(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_start_page_is_not_cached_and_shows_quick_exit(client, path):
    """The start page says "Hilfe bei Gewalt": kept in the browser's cache it would show
    someone who looks through the cache that help was sought on this device."""
    response = client.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert b'href="/exit/"' in response.content
    assert b"data-quick-exit" in response.content


def test_quick_exit_ends_session_and_leaves_for_neutral_site(client, settings):
    settings.SCHUTZNETZ_EXIT_URL = "https://neutral.example/"
    user = make_user()
    login(client, user)
    assert client.get(reverse("core:staff_home")).status_code == 200
    response = client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] == "https://neutral.example/"
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert "no-store" in response.headers["Cache-Control"]
    # The session cookie is deleted (a deletion, never a new cookie) and the session is gone.
    cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
    assert cookie is None or cookie.value == ""
    assert client.get(reverse("core:staff_home")).status_code == 302


def test_quick_exit_is_language_neutral_and_a_plain_link(client):
    response = client.get("/en/")
    assert b'href="/exit/"' in response.content


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert_no_cookie(response)


def test_healthz_503_when_database_fails(client):
    with mock.patch("schutznetz.core.views.connection") as conn:
        conn.cursor.side_effect = Exception("Datenbank weg")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "error"


def test_english_start_page_is_english(client):
    german = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<html lang="de">' in german and '<html lang="en">' in english
    assert "Zum Inhalt springen" in german
    assert "Skip to content" in english
    assert "Leave this page quickly" in english
