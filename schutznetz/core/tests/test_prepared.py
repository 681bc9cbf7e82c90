"""Prepared queries load exactly what the ORM loads (core/prepared.py leans on compiler internals)."""

import datetime
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from schutznetz.accounts.models import Role, User
from schutznetz.accounts.sessions import SessionStore
from schutznetz.core.prepared import PreparedQuery
from schutznetz.testing.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db(transaction=True)

USER_WITH_ORGANISATION = PreparedQuery(
    lambda pk: User.objects.select_related("organisation").filter(pk=pk), pk=-987_654_321
)


def field_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def test_a_prepared_load_equals_the_orm_load_including_the_related_object():
    organisation = make_organisation("Frauenberatung Prepared")
    user = make_user("prepared-user", organisation=organisation, roles=[Role.FACHKRAFT])
    for _ in range(2):  # compiled on the first call, reused on the second
        loaded = USER_WITH_ORGANISATION.first(pk=user.pk)
        expected = User.objects.select_related("organisation").get(pk=user.pk)
        assert field_values(loaded) == field_values(expected)
        assert field_values(loaded.organisation) == field_values(expected.organisation)
        assert isinstance(loaded.date_joined, datetime.datetime) and timezone.is_aware(loaded.date_joined)
        assert loaded._state.adding is False and loaded._state.db == "default"


def test_a_missing_row_and_a_missing_related_object():
    assert USER_WITH_ORGANISATION.first(pk=10**9) is None
    user = User.objects.create(username="prepared-no-org")
    assert USER_WITH_ORGANISATION.first(pk=user.pk).organisation is None


def test_annotations_are_set():
    from django.db.models import Value

    query = PreparedQuery(lambda pk: User.objects.annotate(marker=Value("x")).filter(pk=pk), pk=-123_456_789)
    user = make_user("prepared-annotated")
    assert query.first(pk=user.pk).marker == "x"


def test_a_stand_in_found_twice_is_refused():
    query = PreparedQuery(lambda pk: User.objects.filter(pk=pk, id__gte=pk), pk=-55_555)
    with pytest.raises(ValueError, match="2-mal"):
        query.first(pk=1)


def test_each_thread_compiles_for_its_own_connection():
    user = make_user("prepared-threads")
    results = []

    def load():
        try:
            results.append(USER_WITH_ORGANISATION.first(pk=user.pk).username)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=load)
    thread.start()
    thread.join()
    results.append(USER_WITH_ORGANISATION.first(pk=user.pk).username)
    assert results == ["prepared-threads", "prepared-threads"]


def test_the_session_store_reads_live_sessions_only():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(session_key=store.session_key).load() == {"answer": 42}
    # The same row as Django's own store reads.
    assert DjangoSessionStore(session_key=store.session_key).load() == {"answer": 42}

    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(session_key=store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # dropped, so a new one is made on save
    assert SessionStore(session_key="x" * 32).load() == {}


def test_the_sign_in_backend_loads_user_organisation_and_roles_prepared():
    from schutznetz.accounts.backends import SignInBackend

    organisation = make_organisation("Jugendamt Prepared")
    user = make_user("prepared-roles", organisation=organisation, roles=[Role.FACHKRAFT, Role.MODERATION])
    loaded = SignInBackend().get_user(user.pk)
    assert field_values(loaded) == field_values(User.objects.get(pk=user.pk))
    assert loaded.organisation.name == "Jugendamt Prepared"
    assert loaded.role_set == {Role.FACHKRAFT, Role.MODERATION}
    assert SignInBackend().get_user("not-a-number") is None
    assert SignInBackend().get_user(10**9) is None
