"""Bounded API fuzzing in-process (the long run is ``make fuzz``, benchmarks/fuzz.py).

schemathesis generates requests for every operation of the OpenAPI schema as every actor of the
authorisation matrix and checks: no 5xx, responses conform to the schema, and no response contains
data the matrix declares hidden from that actor.
"""

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from drf_spectacular.generators import SchemaGenerator

from benchmarks.fuzz import run_fuzz
from tests.access_matrix import ACTORS, secrets_hidden_from

MAX_EXAMPLES = 6


@pytest.fixture
def wsgi_app():
    # The app runs inside the test's transaction: keep Django from closing the connection per request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _session_cookies(world, actor):
    from django.test import Client

    if actor == "anonymous":
        return {}, {}
    client = Client()
    client.force_login(world.users[actor], backend="schutznetz.accounts.backends.SignInBackend")
    token = _get_new_csrf_string()
    return {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: token,
    }, {"X-CSRFToken": token}


def test_api_fuzzing_as_every_actor(world, db, wsgi_app):
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = wsgi_app
    actors = {actor: _session_cookies(world, actor) for actor in ACTORS}
    forbidden = {actor: secrets_hidden_from(world, actor) for actor in ACTORS}
    report = run_fuzz(schema, actors, forbidden, max_examples=MAX_EXAMPLES, seed=0)
    print(f"API-Fuzzing: {report.requests} Anfragen, Status {dict(sorted(report.statuses.items()))}")
    assert report.requests >= len(ACTORS) * len(raw["paths"])
    assert not report.failures, "\n".join(report.failures)


def test_fuzzer_reports_a_leak(world, db, wsgi_app):
    """The leak check can fail: a marker that is in every list response is reported."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = wsgi_app
    actors = {"koordination": _session_cookies(world, "koordination")}
    report = run_fuzz(schema, actors, {"koordination": ['"count"']}, max_examples=2, seed=0)
    assert any("fremde Daten" in failure for failure in report.failures)
