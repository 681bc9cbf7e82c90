"""Access log, scoped look-ups, role predicates and the personal-data registry."""

import pytest
from django.apps import apps
from django.db import models
from django.http import Http404

from schutznetz.accounts.models import Organisation, Role, User
from schutznetz.core import permissions, personal_data
from schutznetz.core.access import get_scoped_or_404, require_perm
from schutznetz.core.access_log import log_access, log_access_many
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
def test_log_access_many_writes_one_entry_per_object():
    user = make_user()
    orgs = [make_organisation() for _ in range(3)]
    log_access_many(user, orgs)
    assert AccessLogEntry.objects.filter(user=user, purpose="list").count() == 3


@pytest.mark.django_db
def test_log_access_many_writes_what_log_access_writes_for_many_and_mixed_objects():
    # One INSERT … SELECT over a JSON array: every field as log_access writes it, for more rows than
    # a multi-row VALUES statement could take on SQLite, mixed object types and a label with quotes.
    user = make_user(username="o'brien\"x")
    orgs = [make_organisation() for _ in range(3)]
    shown = [*orgs, user] * 84  # 336 rows
    log_access_many(user, shown, purpose="liste")
    log_access(user, orgs[0], purpose="liste")
    single = AccessLogEntry.objects.order_by("-id").first()
    many = list(AccessLogEntry.objects.filter(purpose="liste").exclude(pk=single.pk).order_by("id"))
    assert len(many) == 336
    fields = ("user_id", "user_label", "organisation_id", "purpose")
    assert {tuple(getattr(entry, name) for name in fields) for entry in many} == {
        tuple(getattr(single, name) for name in fields)
    }
    assert sorted((entry.object_type, entry.object_id) for entry in many) == sorted(
        (obj._meta.label_lower, str(obj.pk)) for obj in shown
    )
    assert all(abs((single.created_at - entry.created_at).total_seconds()) < 60 for entry in many)
    log_access_many(user, [])
    assert AccessLogEntry.objects.count() == 337


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
