"""Prepared queries load exactly what the ORM loads (core/prepared.py leans on compiler internals)."""

import datetime
import threading

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from schutznetz.accounts.models import Role, User
from schutznetz.accounts.sessions import SessionStore
from schutznetz.core.prepared import PreparedQuery, StandInUser
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


def test_a_stand_in_may_occur_several_times():
    query = PreparedQuery(lambda pk: User.objects.filter(pk=pk, id__gte=pk), pk=-55_555)
    user = make_user("prepared-twice")
    other = make_user("prepared-twice-other")
    assert query.first(pk=user.pk).username == "prepared-twice"
    assert query.first(pk=other.pk).username == "prepared-twice-other"


def test_a_constant_equal_to_a_stand_in_stays_a_constant():
    # Found by comparing two builds, not by equality with the stand-in: the constant is the same in
    # both builds, so it is not swapped for the value.
    from django.db.models import Q

    query = PreparedQuery(
        lambda name: User.objects.filter(Q(username=name) | Q(first_name="fixed-name")).order_by("username"),
        name="fixed-name",
    )
    make_user("prepared-a")
    make_user("prepared-b", first_name="fixed-name")
    make_user("prepared-c")
    assert [user.username for user in query.all(name="prepared-a")] == ["prepared-a", "prepared-b"]


def test_a_value_taken_from_elsewhere_is_refused_when_compiled():
    query = PreparedQuery(lambda pk: User.objects.filter(pk=pk, date_joined__lte=timezone.now()), pk=-55_556)
    with pytest.raises(ValueError, match="kein Platzhalter"):
        query.first(pk=1)


def test_a_stand_in_the_query_does_not_use_is_refused():
    query = PreparedQuery(lambda pk, unused: User.objects.filter(pk=pk), pk=-55_557, unused=-55_558)
    with pytest.raises(ValueError, match="unused"):
        query.first(pk=1, unused=2)


def test_a_query_whose_shape_depends_on_a_value_is_refused():
    query = PreparedQuery(
        lambda name: User.objects.filter(username=name) if name.endswith("~") else User.objects.all(),
        name="shape",
    )
    with pytest.raises(ValueError, match="Form der Abfrage"):
        query.first(name="x")


def test_in_lookups_deferred_fields_and_values_lists_equal_the_orm():
    organisation = make_organisation("Beratungsstelle Prepared")
    users = [make_user(f"prepared-in-{n}", organisation=organisation) for n in range(3)]
    ids = tuple(user.pk for user in users)

    def build(pks):
        return (
            User.objects.filter(pk__in=pks)
            .select_related("organisation")
            .only("username", "date_joined", "organisation__name")
            .order_by("pk")
        )

    loaded = PreparedQuery(build, pks=(-1, -2, -3)).all(pks=ids)
    expected = list(build(ids))
    assert [user.get_deferred_fields() for user in loaded] == [
        user.get_deferred_fields() for user in expected
    ]
    assert [(u.username, u.date_joined, u.organisation.name) for u in loaded] == [
        (u.username, u.date_joined, u.organisation.name) for u in expected
    ]
    rows = PreparedQuery(
        lambda pks: User.objects.filter(pk__in=pks).order_by("pk").values_list("username", "date_joined"),
        pks=(-4, -5, -6),
    )
    assert rows.all(pks=ids) == list(
        User.objects.filter(pk__in=ids).order_by("pk").values_list("username", "date_joined")
    )
    with pytest.raises(ValueError, match="3 Werte"):
        rows.all(pks=ids[:2])


def test_a_stand_in_user_answers_only_for_the_roles_of_the_shape():
    user = StandInUser(
        organisation_id=-2, roles=[Role.FACHKRAFT], known_roles=[Role.FACHKRAFT, Role.MODERATION]
    )
    assert user.has_role(Role.FACHKRAFT) and not user.has_role(Role.MODERATION)
    with pytest.raises(AttributeError):
        user.has_role(Role.KOORDINATION)
    for name in ("pk", "id", "email", "organisation"):  # anything but what the scoping code may read
        with pytest.raises(AttributeError):
            getattr(user, name)


def test_scoping_code_that_reads_more_of_the_user_fails_when_compiled():
    # A query built from the user's id would otherwise be compiled for the stand-in's.
    def build(organisation_id):
        user = StandInUser(organisation_id=organisation_id, roles=[], known_roles=[])
        return User.objects.filter(organisation_id=user.organisation_id, pk=user.pk)

    with pytest.raises(AttributeError):
        PreparedQuery(build, organisation_id=-55_563).all(organisation_id=1)


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


def test_a_query_that_matches_nothing_runs_no_sql():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = PreparedQuery(lambda pk: User.objects.none().filter(pk=pk), pk=-55_559)
    with CaptureQueriesContext(connection) as captured:
        assert query.all(pk=1) == [] and query.first(pk=1) is None
    assert captured.captured_queries == []


def test_run_prepared_compiles_once_per_shape_and_types_of_values():
    from schutznetz.core import prepared

    make_user("prepared-shape-a")
    make_user("prepared-shape-b", first_name="B")
    before = prepared._prepared.cache_info()
    for name in ("prepared-shape-a", "prepared-shape-b", "prepared-shape-a"):
        [user] = prepared.run_prepared(_by_username, ("username",), value=name)
        assert user.username == name
    [user] = prepared.run_prepared(_by_username, ("first_name",), value="B")
    assert user.username == "prepared-shape-b"
    after = prepared._prepared.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (2, 2)


def _by_username(field, value):
    return User.objects.filter(**{field: value})


def _server_prepared_statements():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_on_postgresql_the_server_keeps_the_plan_unless_told_otherwise(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements on the server are a PostgreSQL matter")
    user = make_user("prepared-server-plan")
    before = len(_server_prepared_statements())
    planned_once = PreparedQuery(lambda pk: User.objects.filter(pk=pk, username__gt="a"), pk=-55_560)
    for _ in range(3):
        assert planned_once.first(pk=user.pk).username == "prepared-server-plan"
    statements = _server_prepared_statements()
    assert len(statements) == before + 1  # prepared once, then reused
    assert any('"accounts_user"."username" > $' in statement for statement in statements)
    planned_each_time = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk, username__gt="b"), pk=-55_561, plan_once=False
    )
    settings.SCHUTZNETZ_PREPARED_STATEMENTS = False
    switched_off = PreparedQuery(lambda pk: User.objects.filter(pk=pk, username__gt="c"), pk=-55_562)
    for query in (planned_each_time, switched_off):
        assert query.first(pk=user.pk).username == "prepared-server-plan"
    assert len(_server_prepared_statements()) == before + 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
