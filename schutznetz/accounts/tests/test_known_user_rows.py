"""The signed-in user's row reused while the database has not changed (``accounts.backends._read_user``).

These tests commit (``transaction=True``): inside an open transaction the row is always read.
"""

import datetime

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schutznetz.accounts import backends
from schutznetz.accounts.backends import SignInBackend, session_data_version
from schutznetz.accounts.models import Organisation, Role, User, UserRole
from schutznetz.core import data_version
from schutznetz.testing.factories import login, make_user

pytestmark = pytest.mark.django_db(transaction=True)

USERS = "accounts:users"


@pytest.fixture(autouse=True)
def _forget_rows():
    backends._read_rows.clear()
    yield
    backends._read_rows.clear()


def get(client, name):
    """The answer's status and whether the request read the user's row."""
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(reverse(name)).status_code
    return status, any('"role_codes_"' in query["sql"] for query in ctx.captured_queries)


@pytest.fixture
def signed_in(client):
    user = make_user(roles=[Role.KOORDINATION, Role.ORG_ADMIN])
    login(client, user)
    assert get(client, USERS) == (200, True)  # read and kept
    assert get(client, USERS) == (200, False)  # built again from the kept row
    return user


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("roles taken away", 403),
        ("user switched off", 302),
        ("organisation switched off", 302),
        ("password changed", 302),
        ("name changed", 200),
    ],
)
def test_any_change_reaches_the_next_request(client, signed_in, change, status):
    """Bulk updates and deletes, as any process may make them: no signal, no cache to clear."""
    user = signed_in
    if change == "roles taken away":
        UserRole.objects.filter(user=user).delete()
    elif change == "user switched off":
        User.objects.filter(pk=user.pk).update(is_active=False)
    elif change == "organisation switched off":
        Organisation.objects.filter(pk=user.organisation_id).update(is_active=False)
    elif change == "password changed":
        User.objects.filter(pk=user.pk).update(password=make_password("ein anderes Passwort 123"))
    else:
        User.objects.filter(pk=user.pk).update(first_name="Neuer Vorname")
    assert get(client, USERS) == (status, True)
    if change == "name changed":
        assert "Willkommen, Neuer Vorname" in client.get(reverse("core:staff_home")).content.decode()
    if status == 302:  # signed out: the session's user is gone for good
        assert client.get(reverse(USERS)).status_code == 302


def test_every_request_gets_its_own_user_object(signed_in):
    version = data_version.current()
    token = session_data_version.set(version)
    try:
        first, second = SignInBackend().get_user(signed_in.pk), SignInBackend().get_user(signed_in.pk)
    finally:
        session_data_version.reset(token)
    assert first is not second and first.organisation is not second.organisation
    first.first_name = "nur in dieser Anfrage"
    first.organisation.name = "nur in dieser Anfrage"
    assert second.first_name != first.first_name and second.organisation.name != first.organisation.name
    assert first.role_set == second.role_set == {Role.KOORDINATION, Role.ORG_ADMIN}
    # The objects share the kept row's values: none of them may be mutable (a JSON field would be).
    (_, row) = backends._read_rows[signed_in.pk]
    assert all(isinstance(value, (str, int, datetime.datetime, type(None))) for value in row.values)


def test_without_the_sessions_version_or_inside_a_transaction_the_row_is_read(signed_in):
    def reads_the_row(version):
        token = session_data_version.set(version)
        try:
            with CaptureQueriesContext(connection) as ctx:
                assert SignInBackend().get_user(signed_in.pk).pk == signed_in.pk
        finally:
            session_data_version.reset(token)
        return len(ctx.captured_queries) == 1

    version = data_version.current()
    assert not reads_the_row(version)  # kept by the fixture's requests
    assert reads_the_row(None)
    assert reads_the_row(("another", "version", 0))
    with transaction.atomic():
        assert reads_the_row(version)
