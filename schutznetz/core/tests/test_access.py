"""Access log, scoped look-ups, role predicates and the personal-data registry."""

import pytest
from django.apps import apps
from django.db import connection, models
from django.http import Http404

from schutznetz.accounts.models import Organisation, Role, User
from schutznetz.core import permissions, personal_data
from schutznetz.core.access import get_scoped_or_404, require_perm
from schutznetz.core.access_log import log_access, log_access_many, recording, write_reads
from schutznetz.core.models import AccessLogEntry
from schutznetz.testing.factories import make_organisation, make_user


@pytest.mark.django_db
def test_log_access_records_who_what_when():
    user = make_user(username="leserin")
    org = make_organisation("Gelesene Organisation")
    entry = log_access(user, org, "view")
    assert (entry.user, entry.user_label, entry.organisation) == (user, "leserin", user.organisation)
    assert (entry.object_type, entry.object_id, entry.purpose) == (
        "accounts.organisation",
        str(org.pk),
        "view",
    )
    assert entry.created_at is not None
    log_access(None, ("cases.case", 7), "export")
    anon = AccessLogEntry.objects.get(object_type="cases.case")
    assert anon.user is None and anon.user_label == "anonym" and anon.object_id == "7"


@pytest.mark.django_db
def test_log_access_many_writes_one_row_per_type_with_the_shown_ids_in_order():
    user = make_user()
    orgs = [make_organisation() for _ in range(3)]
    log_access_many(user, [orgs[2], orgs[0], orgs[2], orgs[1]])
    entry = AccessLogEntry.objects.get(user=user, purpose="list")
    assert entry.object_type == "accounts.organisation" and entry.object_id == ""
    assert entry.object_ids == [str(orgs[2].pk), str(orgs[0].pk), str(orgs[1].pk)]  # repeats once
    assert entry.shown_ids == entry.object_ids


@pytest.mark.django_db
def test_log_access_many_writes_what_log_access_writes_for_many_and_mixed_objects():
    # Every field as log_access writes it, for mixed object types, many objects and a label with
    # quotes; one row per type.
    user = make_user(username="o'brien\"x")
    orgs = [make_organisation() for _ in range(3)]
    shown = [*orgs, user] * 84
    log_access_many(user, shown, purpose="liste")
    log_access(user, orgs[0], purpose="liste")
    single = AccessLogEntry.objects.order_by("-id").first()
    many = list(AccessLogEntry.objects.filter(purpose="liste").exclude(pk=single.pk).order_by("id"))
    assert len(many) == 2
    fields = ("user_id", "user_label", "organisation_id", "purpose")
    assert {tuple(getattr(entry, name) for name in fields) for entry in many} == {
        tuple(getattr(single, name) for name in fields)
    }
    assert {entry.object_type: entry.object_ids for entry in many} == {
        "accounts.organisation": [str(org.pk) for org in orgs],
        "accounts.user": [str(user.pk)],
    }
    assert all(abs((single.created_at - entry.created_at).total_seconds()) < 60 for entry in many)
    log_access_many(user, [])
    assert AccessLogEntry.objects.count() == 3


@pytest.mark.django_db
def test_about_finds_single_reads_and_list_reads_of_exactly_that_record():
    user = make_user()
    orgs = [make_organisation() for _ in range(12)]
    log_access(user, orgs[1])
    log_access_many(user, [orgs[1], orgs[2]])
    log_access_many(user, [orgs[11]])  # "11" must not count as a read of 1
    log_access(user, ("accounts.user", orgs[1].pk))  # same id, other type
    about_one = AccessLogEntry.objects.about("accounts.organisation", orgs[1].pk)
    assert sorted(about_one.values_list("purpose", flat=True)) == ["list", "view"]
    assert AccessLogEntry.objects.about("accounts.organisation", str(orgs[2].pk)).count() == 1
    assert AccessLogEntry.objects.about("accounts.organisation", orgs[11].pk).count() == 1
    assert not AccessLogEntry.objects.about("accounts.organisation", orgs[0].pk).exists()
    assert not AccessLogEntry.objects.about("accounts.organisation", "1' OR '1'='1").exists()


@pytest.mark.django_db
def test_get_scoped_or_404_logs_inside_scope_and_hides_outside():
    user = make_user()
    mine, other = user.organisation, make_organisation()
    scoped = Organisation.objects.filter(pk=mine.pk)
    assert get_scoped_or_404(scoped, log_user=user, pk=mine.pk) == mine
    assert AccessLogEntry.objects.filter(user=user, object_id=str(mine.pk)).count() == 1
    with pytest.raises(Http404):
        get_scoped_or_404(scoped, log_user=user, pk=other.pk)
    assert not AccessLogEntry.objects.filter(object_id=str(other.pk)).exists()


@pytest.mark.django_db
def test_role_predicates_and_organisation_scope():
    koord = make_user(roles=[Role.KOORDINATION])
    admin = make_user(roles=[Role.ORG_ADMIN])
    fach = make_user(roles=[Role.FACHKRAFT], organisation=admin.organisation)
    assert permissions.is_koordination(koord) and not permissions.is_koordination(fach)
    assert permissions.is_fachkraft(fach) and not permissions.is_fachkraft(admin)
    assert permissions.same_organisation(fach, admin.organisation)
    assert permissions.same_organisation(fach, admin)
    assert not permissions.same_organisation(koord, admin.organisation)
    assert admin.has_perm("accounts.manage_users_of", admin.organisation)
    assert not admin.has_perm("accounts.manage_users_of", koord.organisation)
    assert koord.has_perm("accounts.manage_users_of", admin.organisation)
    assert not fach.has_perm("accounts.manage_users_of", fach.organisation)
    assert koord.has_perm("core.use_admin") and not admin.has_perm("core.use_admin")
    require_perm(koord, "core.use_admin")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        require_perm(fach, "core.use_admin")
    # Koordination is deliberately not a superuser.
    assert not koord.is_superuser


@pytest.mark.django_db
def test_inactive_user_holds_no_role():
    user = make_user(roles=[Role.KOORDINATION])
    user.is_active = False
    assert not permissions.is_koordination(user)


def schutznetz_models():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("schutznetz.") and not model._meta.abstract
    ]


def test_every_personal_looking_field_is_declared():
    missing = personal_data.undeclared_fields(schutznetz_models())
    assert not missing, (
        "Diese Felder sehen personenbezogen aus, sind aber nicht im Register deklariert "
        "(personal_data.declare oder personal_data.not_personal in models.py): " + ", ".join(missing)
    )


def test_registry_check_fails_for_an_undeclared_field():
    class Undeclared(models.Model):
        phone_number = models.CharField(max_length=30)
        street = models.CharField(max_length=30)
        colour = models.CharField(max_length=30)

        class Meta:
            app_label = "testapp"
            managed = False

        def __str__(self):
            return self.colour

    try:
        assert personal_data.undeclared_fields([Undeclared]) == [
            "testapp.Undeclared.phone_number",
            "testapp.Undeclared.street",
        ]
    finally:
        apps.all_models["testapp"].pop("undeclared", None)
        apps.clear_cache()


def test_registry_gives_category_purpose_and_retention_for_each_declared_field():
    entries = personal_data.personal_fields()
    labels = {entry.model_label for entry in entries}
    assert {"accounts.User", "accounts.Invitation"} <= labels
    for entry in entries:
        assert entry.category in personal_data.CATEGORY_LABELS
        assert str(personal_data.CATEGORY_LABELS[entry.category])
        assert entry.purpose.strip(), entry
        assert entry.retention.strip(), entry
        model = apps.get_model(entry.model_label)
        model._meta.get_field(entry.field)


def test_declare_refuses_typos_and_unknown_categories():
    with pytest.raises(Exception):  # noqa: B017 - FieldDoesNotExist
        personal_data.declare(User, "nmae", category=personal_data.IDENTITY, purpose="x", retention="y")
    with pytest.raises(ValueError):
        personal_data.declare(User, "email", category="geheim", purpose="x", retention="y")


@pytest.mark.django_db
def test_access_log_outlives_the_reader_and_keeps_the_label():
    """The log's keys carry no database constraint; deleting a reader still empties them."""
    user = make_user(username="ausgeschieden")
    org = user.organisation
    log_access(user, ("cases.case", 1))
    log_access_many(user, [org])
    user.delete()
    org.delete()
    entries = AccessLogEntry.objects.all()
    assert entries.count() == 2
    assert {(e.user_id, e.organisation_id, e.user_label) for e in entries} == {(None, None, "ausgeschieden")}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
@pytest.mark.django_db
def test_postgresql_finds_the_list_reads_of_a_record_through_the_gin_index():
    with connection.cursor() as cursor:
        # An empty table, which PostgreSQL would rather scan, whole or along the index of the log's
        # order: the lookup must be one the GIN index answers (on a real log of 108,000 rows the
        # planner combines it with the btree by itself).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = AccessLogEntry.objects.filter(object_ids__includes=42).order_by().explain()
    assert "core_access_object_ids_gin" in plan


@pytest.mark.django_db
@pytest.mark.parametrize("several", [True, False], ids=["several reads", "one read"])
def test_reads_written_again_equal_the_rows_logged_when_read(several):
    """A served page logs its recorded reads again: several in one statement (PostgreSQL: one
    ``INSERT … SELECT`` over a JSON array of them), one as a plain insert; both as read."""
    user = make_user(username="o'brien")
    orgs = [make_organisation() for _ in range(2)]
    with recording() as reads:
        log_access_many(user, orgs, purpose="list")
        if several:
            log_access(user, orgs[0])
    write_reads(user, reads)
    rows = [(e.purpose, e.object_type, e.object_id, e.object_ids, e.user_id, e.user_label, e.organisation_id) for e in
            AccessLogEntry.objects.order_by("id")]  # fmt: skip
    assert rows[len(reads) :] == rows[: len(reads)] and len(rows) == 2 * len(reads)
    assert rows[0][3] == [str(org.pk) for org in orgs]
    if several:
        assert rows[1][3] is None and rows[1][2] == str(orgs[0].pk)
