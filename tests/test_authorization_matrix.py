"""Generated authorisation matrix: every URL and API operation × every actor × own/foreign object.

Rules and format: tests/access_matrix.py. A URL or API operation without an expectation fails.
"""

import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from drf_spectacular.generators import SchemaGenerator

from tests.access_matrix import (
    ACTORS,
    allowed_actors,
    api_key,
    enumerate_urls,
    load_tables,
    resolve,
)

TABLES = load_tables()
URL_TABLE = {name: entry for _, table, _ in TABLES for name, entry in table.items()}
API_TABLE = {name: entry for _, _, table in TABLES for name, entry in table.items()}
URLS = enumerate_urls()
DENIED = {403, 404}


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        api_key(f"{method.upper()} {path}")
        for path, operations in sorted(schema.get("paths", {}).items())
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


API_OPERATIONS = api_operations()
API_PATHS = {
    api_key(f"{method.upper()} {path}"): f"{method.upper()} {path}"
    for path, operations in SchemaGenerator().get_schema(request=None, public=True).get("paths", {}).items()
    for method in operations
}


@pytest.fixture
def db_access(world, db):
    """Each test runs in a savepoint that is rolled back (POSTs by denied actors leave no trace)."""
    yield


def client_for(world, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(world.users[actor], backend="schutznetz.accounts.backends.SignInBackend")
    return client


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def is_login_redirect(response):
    login = reverse("account_login")
    return response.status_code in (301, 302) and login in response.get("Location", "")


def check(failures, label, actor, response, allowed, expected_status=None, secret=None, post_only=False):
    status = response.status_code
    if allowed:
        if post_only:
            ok = status == 405 or (status < 400 and not is_login_redirect(response))
        elif expected_status is not None:
            ok = status == expected_status
        else:
            ok = status < 400 and not is_login_redirect(response)
        if not ok:
            failures.append(
                f"{label} als {actor}: erlaubt erwartet, bekam {status} {response.get('Location', '')}"
            )
    else:
        ok = status in DENIED or (actor == "anonymous" and (is_login_redirect(response) or status == 401))
        if post_only and status == 405 and response.wsgi_request.method == "GET":
            ok = True  # GET on a POST-only view: rejected before any object is looked at
        if not ok:
            failures.append(f"{label} als {actor}: verweigert erwartet (403/404/Login), bekam {status}")
    if secret and not (allowed and secret.get("allowed")):
        if secret["text"] and secret["text"] in body(response):
            failures.append(f"{label} als {actor}: Antwort enthält geschützten Inhalt {secret['text']!r}")


# --- completeness ---------------------------------------------------------------------------------


def test_every_url_has_an_expectation():
    missing = sorted(name for name, route, view in URLS if name not in URL_TABLE)
    assert not missing, "URLs ohne Eintrag in access_expectations.py:\n" + "\n".join(missing)


def test_every_api_operation_has_an_expectation():
    missing = sorted(op for op in API_OPERATIONS if op not in API_TABLE)
    assert not missing, "API-Operationen ohne Eintrag in access_expectations.py (API = {...}):\n" + "\n".join(
        missing
    )


def test_no_stale_expectations():
    known = {name for name, _, _ in URLS}
    stale = sorted(set(URL_TABLE) - known) + sorted(set(API_TABLE) - set(API_OPERATIONS))
    assert not stale, "Einträge ohne passende URL/Operation: " + ", ".join(stale)


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(name for name, _, _ in URLS if name in URL_TABLE))
def test_page_access(name, world, db_access):
    entry = URL_TABLE[name]
    allow = allowed_actors(entry)
    foreign_allow = allowed_actors(entry, "foreign_allow")
    secret_text = resolve(entry.get("secret"), world)
    failures = []
    variants = [("eigen", resolve(entry.get("kwargs"), world) or {}, allow)]
    if entry.get("foreign_kwargs"):
        variants.append(("fremd", resolve(entry["foreign_kwargs"], world), foreign_allow))
    for variant, kwargs, allowed_set in variants:
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch as exc:
            pytest.fail(f"{name}: kwargs passen nicht ({exc})")
        for actor in ACTORS:
            client = client_for(world, actor)
            allowed = actor in allowed_set
            secret = {"text": secret_text, "allowed": actor in foreign_allow}
            response = client.get(url)
            check(
                failures,
                f"GET {url} ({variant})",
                actor,
                response,
                allowed,
                entry.get("status"),
                secret,
                entry.get("post_only", False),
            )
            if not allowed and entry.get("post_only"):
                response = client.post(url, entry.get("post_data") or {})
                check(failures, f"POST {url} ({variant})", actor, response, False, secret=secret)
    assert not failures, "\n".join(failures)


# --- API ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", sorted(op for op in API_OPERATIONS if op in API_TABLE))
def test_api_access(operation, world, db_access):
    method, path = API_PATHS[operation].split(" ", 1)
    entry = API_TABLE[operation]
    allow = allowed_actors(entry)
    foreign_allow = allowed_actors(entry, "foreign_allow")
    secret_text = resolve(entry.get("secret"), world)
    failures = []
    variants = [("eigen", resolve(entry.get("kwargs"), world) or {}, allow)]
    if entry.get("foreign_kwargs"):
        variants.append(("fremd", resolve(entry["foreign_kwargs"], world), foreign_allow))
    for variant, kwargs, allowed_set in variants:
        positional = iter(kwargs.get("_params", ()))
        url = re.sub(
            r"\{(\w+)\}", lambda m, kw=kwargs, p=positional: str(kw.get(m.group(1)) or next(p)), path
        )
        for actor in ACTORS:
            allowed = actor in allowed_set
            if method != "GET" and allowed:
                continue  # writes are only tried by those who must be refused
            client = client_for(world, actor)
            response = getattr(client, method.lower())(url, {}, content_type="application/json")
            secret = {"text": secret_text, "allowed": actor in foreign_allow}
            check(
                failures,
                f"{operation} {url} ({variant})",
                actor,
                response,
                allowed,
                entry.get("status"),
                secret,
            )
    assert not failures, "\n".join(failures)


# --- documented exclusions, each checked once ------------------------------------------------------


def test_admin_is_closed_to_non_staff(world, db_access):
    url = reverse("admin:index")
    for actor in ACTORS:
        response = client_for(world, actor).get(url)
        if actor != "anonymous" and world.users[actor].has_perm("core.use_admin"):
            assert actor == "koordination"  # the admin is the coordination's tool only
            continue
        assert response.status_code in (302, 403, 404), (actor, response.status_code)
        if response.status_code == 302:
            assert "login" in response["Location"]


def test_login_page_is_public(world, db_access):
    response = Client().get(reverse("account_login"))
    assert response.status_code == 200


# --- security headers on every page ------------------------------------------------------------------

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response, label):
    missing = [
        f"{name} (erwartet enthält {value!r}, bekam {response.get(name)!r})"
        for name, value in SECURITY_HEADERS.items()
        if value not in (response.get(name) or "")
    ]
    assert not missing, f"{label}: Sicherheits-Header fehlen: " + "; ".join(missing)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("name", sorted(name for name, _, _ in URLS if name in URL_TABLE))
def test_security_headers_on_every_page(name, world, db_access):
    """As the first actor allowed in, and as anonymous (the denial or login redirect has them too)."""
    entry = URL_TABLE[name]
    url = reverse(name, kwargs=resolve(entry.get("kwargs"), world) or {})
    allow = allowed_actors(entry)
    actors = ["anonymous"] + [a for a in ACTORS if a in allow and a != "anonymous"][:1]
    for actor in actors:
        response = client_for(world, actor).get(url)
        assert_security_headers(response, f"GET {url} als {actor}")
    # A page that does not exist answers with the same headers.
    assert_security_headers(Client().get(url + "gibt-es-nicht/"), f"404 unter {url}")


def test_security_headers_on_api_and_hsts_under_https(settings, db):
    assert_security_headers(Client().get("/api/schema/"), "/api/schema/")
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]
