"""Every public URL, with and without parameters, and the error pages a visitor can reach.

``test_public.py`` walks the public pages without URL parameters. Here every public pattern is
requested, parameters filled with values that match no object (so a view that forgets
``@public_page`` on its error path, or a new page with parameters, cannot slip through), in both
languages, with a query string and as an htmx request. And the pages Django answers with when
no view does (404 for an unknown address, 400 for a broken request, 403 for a form without CSRF
token) must be as safe as the public pages: German (or the page's language), the quick exit, a
neutral title, no advice to switch cookies on.
"""

import re
import uuid

import pytest
from django.test import Client

from schutznetz.testing.urls import is_public, url_patterns

pytestmark = pytest.mark.django_db

# Values that fit each converter but match no object.
PLACEHOLDERS = {
    "uuid": str(uuid.UUID(int=0)),
    "int": "999999",
    "slug": "gibt-es-nicht",
    "str": "gibt-es-nicht",
    "path": "gibt-es-nicht",
}
# Anything the browser would load from another host (links a person may follow are fine).
THIRD_PARTY = re.compile(
    r"""<(?:script|img|iframe|frame|link|source|video|audio|embed|object|form|input|track)\b[^>]*"""
    r"""\b(?:src|href|srcset|poster|data|action|formaction)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""",
    re.I,
)
# A search term that must not reach a page's <title> (titles end up in the browser's history).
TERM = "Suchwort4711"


def _public_patterns():
    for route, pattern in url_patterns():
        if is_public(pattern):
            yield route, pattern.callback.schutznetz_no_store


def _fill(route):
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: PLACEHOLDERS[m.group(1) or "str"], route)


def public_paths():
    """{path: whether the view promises ``no-store``}, German and English."""
    paths = {_fill(route): no_store for route, no_store in _public_patterns()}
    english = {"/en" + path: no_store for path, no_store in paths.items() if path != "/exit/"}
    return dict(sorted((paths | english).items()))


def assert_safe(response, path):
    assert response.status_code < 500, path
    assert "Set-Cookie" not in response.headers and not response.cookies, path
    assert response.headers["Referrer-Policy"] == "no-referrer", path
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert not THIRD_PARTY.search(html), f"{path}: {THIRD_PARTY.search(html).group(0)}"
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title is None or TERM not in title.group(1), path
    if 300 <= response.status_code < 400:
        # Nothing a person typed travels on in an address (history, logs, referrers).
        assert TERM not in response["Location"] and "Anna" not in response["Location"], path


def test_every_public_pattern_with_parameters_is_safe_in_both_languages():
    """Placeholders match no object: every page with parameters answers 404 here (and its
    404 must be a safe page too); pages without parameters answer as usual."""
    paths = public_paths()
    assert "/hilfe/angebot/00000000-0000-0000-0000-000000000000/" in paths
    assert "/en/veranstaltungen/anmeldung/gibt-es-nicht/" in paths
    client = Client(raise_request_exception=False)
    for path, no_store in paths.items():
        for query in ("", f"?q={TERM}&ort=Soest&seite=2"):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(path + query, headers=headers)
                assert_safe(response, path + query)
                if no_store:
                    assert "no-store" in response.get("Cache-Control", ""), path + query
                if response.status_code == 404:
                    # A public view's 404 is a public page too.
                    assert b"data-quick-exit" in response.content, path
                    title = (
                        b"<title>Information</title>"
                        if path.startswith("/en/")
                        else b"<title>Informationen</title>"
                    )
                    assert title in response.content, path


def test_public_forms_posted_without_csrf_token_set_no_cookie():
    """A visitor's POST (public forms are CSRF-exempt) leaves no cookie either."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for path in public_paths():
        response = client.post(path, {"name": "Anna", "q": TERM, "code": "K7QM-4XNP-R", "pin": "1234"})
        assert_safe(response, path)


@pytest.mark.parametrize(
    ("path", "language", "heading"),
    [
        ("/gibt-es-nicht/", "de", "Seite nicht gefunden"),
        ("/hilfe/angebot/00000000-0000-0000-0000-000000000000/", "de", "Seite nicht gefunden"),
        ("/veranstaltungen/anmeldung/abgelaufen/", "de", "Seite nicht gefunden"),
        ("/en/gibt-es-nicht/", "en", "Page not found"),
    ],
)
def test_page_not_found_is_a_safe_page_in_the_visitors_language(path, language, heading):
    """An outdated link (an offer taken offline, an old registration link) must not strand a
    person on a bare English page without the quick exit."""
    response = Client().get(path)
    html = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert heading in html
    assert 'href="/exit/"' in html and "data-quick-exit" in html
    assert "<title>Informationen</title>" in html or "<title>Information</title>" in html
    assert "116 016" in html  # the emergency numbers
    assert "Not Found" not in html
    assert "Set-Cookie" not in response.headers


def test_form_without_csrf_token_gets_a_calm_german_403():
    """Django's own page is English and asks the visitor to switch cookies and referrers on,
    the opposite of what a person hiding their visit should do."""
    response = Client(enforce_csrf_checks=True).post("/hilfe/", {"q": "Gewalt"})
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="de">' in html
    assert "Das Formular konnte nicht gesendet werden" in html
    assert "data-quick-exit" in html and "<title>Informationen</title>" in html
    assert "ookie" not in html and "Referer" not in html and "CSRF" not in html
    assert "<style" not in html  # the CSP forbids inline styles
    assert "Set-Cookie" not in response.headers


def test_english_csrf_failure_is_english():
    response = Client(enforce_csrf_checks=True).post("/en/hilfe/", {"q": "Gewalt"})
    html = response.content.decode()
    assert response.status_code == 403 and '<html lang="en">' in html
    assert "The form could not be sent" in html


def test_broken_request_gets_a_german_400_page():
    """Too many fields (or a body too large) is refused by Django with a bare English 400."""
    data = "&".join(f"f{i}=x" for i in range(1100))
    response = Client().post("/stand/", data, content_type="application/x-www-form-urlencoded")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="de">' in html
    assert "Die Anfrage konnte nicht verarbeitet werden" in html
    assert "data-quick-exit" in html and "Bad Request" not in html


# Reached without signing in, but not a page for affected persons: the staff's sign-in pages
# (allauth), machine endpoints and the API (tested in directory/tests/test_api.py).
NOT_PUBLIC_BUT_OPEN = ("/konto/", "/en/konto/", "/healthz", "/api/")


def _all_routes():
    for route, _pattern in url_patterns():
        if "(?P" not in route and "^" not in route and not route.startswith("api/"):
            yield route


def test_every_page_an_anonymous_visitor_can_open_is_a_public_page():
    """A new page that answers without login must be marked ``@public_page`` (no cookies,
    quick exit, no-store), else it fails here."""
    client = Client(raise_request_exception=False)
    public = set(public_paths())
    unmarked = []
    for route in sorted(set(_all_routes())):
        path = _fill(route)
        for candidate in (path, "/en" + path):
            if candidate.startswith(NOT_PUBLIC_BUT_OPEN) or candidate in public:
                continue
            response = client.get(candidate)
            if response.status_code == 200:
                unmarked.append(candidate)
    assert unmarked == []


@pytest.mark.parametrize(
    ("prefix", "lang", "heading"),
    [("", "de", "Kein Zugriff auf diese Seite"), ("/en", "en", "No access to this page")],
)
def test_a_page_the_role_may_not_see_gets_a_calm_403_in_the_page_language(prefix, lang, heading):
    """Koordination sees counts, never a case list: Django's English "403 Forbidden" was all it got."""
    from schutznetz.accounts.models import Role
    from schutznetz.testing.factories import login, make_user

    client = login(Client(), make_user(roles=[Role.KOORDINATION]))
    response = client.get(f"{prefix}/intern/faelle/")
    html = response.content.decode()
    assert response.status_code == 403
    assert f'<html lang="{lang}">' in html and heading in html
    assert f'href="{prefix}/intern/"' in html  # back to the staff start page, not the public one
    assert "Forbidden" not in html
