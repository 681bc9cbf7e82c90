"""The session store (accounts/sessions.py): the look-up every signed-in request starts with.

These tests commit (``transaction=True``), as requests do.
"""

import pytest
from django.db import connection, connections
from django.urls import reverse

from schutznetz.core import data_version
from schutznetz.testing.factories import login, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_session_is_read_with_the_current_data_version(client):
    login(client, make_user())
    store = client.session
    store.load()
    assert store.data_version == data_version.current()


@pytest.fixture
def connection_checks(monkeypatch):
    """Every ``is_usable()`` (Django's health check, a ``SELECT 1``), counted."""
    checks = []
    wrapper = connections["default"]
    is_usable = wrapper.is_usable

    def counted():
        checks.append(wrapper.alias)
        return is_usable()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return checks


def new_request(client):
    connection.health_check_done = False  # as Django marks a reused connection when a request starts
    return client.get(reverse("accounts:session"))


def test_the_session_look_up_is_the_requests_connection_health_check(client, connection_checks):
    login(client, make_user())
    connection.ensure_connection()
    assert connection.health_check_enabled
    assert new_request(client).status_code == 200
    assert connection_checks == []  # no SELECT 1 before the look-up


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that closes connections")
def test_a_connection_the_server_closed_is_replaced_and_the_request_answered(client, connection_checks):
    import psycopg

    login(client, make_user())
    connection.ensure_connection()
    closed_pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:  # a restart, an idle timeout
        other.execute("SELECT pg_terminate_backend(%s)", [closed_pid])
    response = new_request(client)
    assert response.status_code == 200 and "seconds_left" in response.json()  # signed in, not redirected
    assert connection_checks == ["default"]  # asked once, after the look-up failed
    assert connection.connection.info.backend_pid != closed_pid
