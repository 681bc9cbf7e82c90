"""The hash-chained audit log: services append, verify_audit finds every tampering."""

from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from schutznetz.accounts import services
from schutznetz.accounts.models import OrganisationKind
from schutznetz.core.audit import GENESIS_HASH, record, verify_chain
from schutznetz.core.models import AuditEntry
from schutznetz.core.services import changed, service
from schutznetz.testing.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


@contextmanager
def trigger_disabled():
    """Tamper like an attacker with table owner rights would (PostgreSQL has the trigger)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks count as pending trigger events and block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify():
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


@pytest.fixture
def chain():
    """A few entries written through services."""
    admin = make_user(username="koord", roles=["koordination"])
    org = make_organisation("Frauenberatung Test", kind=OrganisationKind.BERATUNGSSTELLE)
    services.save_organisation(
        admin, name=org.name, slug=org.slug, kind=org.kind, municipality="Lippstadt", organisation=org
    )
    services.save_organisation(
        admin, name=org.name, slug=org.slug, kind=org.kind, municipality="Werl", organisation=org
    )
    return list(AuditEntry.objects.order_by("id"))


def test_services_append_entries_with_field_names_never_values(chain):
    update = chain[-1]
    assert update.action == "organisation.update"
    assert update.changed_fields == ["municipality"]
    assert update.actor_label == "koord"
    assert update.object_type == "accounts.organisation"
    # No value (the towns written above) appears anywhere in the log.
    dumped = str(list(AuditEntry.objects.values()))
    assert "Werl" not in dumped and "Lippstadt" not in dumped
    for entry in chain:
        for name in entry.changed_fields:
            assert name in {"name", "slug", "kind", "municipality", "username", "organisation", "roles"}
    assert chain[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))


def test_unchanged_save_writes_no_entry(chain):
    org = make_organisation("Frauenberatung Test")
    before = AuditEntry.objects.count()
    services.save_organisation(
        None, name=org.name, slug=org.slug, kind=org.kind, municipality="Werl", organisation=org
    )
    assert AuditEntry.objects.count() == before


def test_changed_helper_names_only_changed_fields():
    org = make_organisation("Irgendwo")
    assert changed(org, {"name": "Irgendwo", "municipality": "Erwitte"}) == ["municipality"]
    assert org.municipality == "Erwitte"


def test_record_outside_transaction_is_refused():
    from unittest import mock

    with mock.patch("django.db.transaction.get_connection") as get_connection:
        get_connection.return_value.in_atomic_block = False
        with pytest.raises(RuntimeError, match="Transaktion"):
            record(None, "x.y")


def test_service_decorator_rolls_back_write_and_entry_together():
    @service
    def failing(actor):
        services.save_organisation(actor, name="Wird zurückgerollt", slug="rollback", kind="sonstige")
        raise ValueError("boom")

    before = AuditEntry.objects.count()
    with pytest.raises(ValueError):
        failing(None)
    assert AuditEntry.objects.count() == before


def test_verify_audit_passes_on_intact_chain(chain):
    assert f"{len(chain)} Einträge geprüft" in verify()
    assert verify_chain().ok


def test_edited_row_is_found(chain):
    victim = chain[2]
    with trigger_disabled():
        AuditEntry.objects.filter(pk=victim.pk).update(changed_fields=["something_else"])
    with pytest.raises(CommandError, match=f"#{victim.pk}:.*verändert"):
        verify()


def test_edited_actor_is_found(chain):
    victim = chain[1]
    with trigger_disabled():
        AuditEntry.objects.filter(pk=victim.pk).update(actor_label="jemand-anders")
    report = verify_chain()
    assert report.broken_entry_id == victim.pk


def test_deleted_row_is_found(chain):
    victim = chain[2]
    with trigger_disabled():
        AuditEntry.objects.filter(pk=victim.pk).delete()
    with pytest.raises(CommandError, match=f"#{chain[3].pk}:.*entfernt oder eingefügt"):
        verify()


def test_deleted_last_row_cannot_be_hidden_from_next_write(chain):
    # Removing the newest row leaves a valid chain, but the next entry links to
    # the new tail; the check still holds for everything present.
    with trigger_disabled():
        AuditEntry.objects.filter(pk=chain[-1].pk).delete()
    assert verify_chain().ok


def test_inserted_row_is_found(chain):
    fake = AuditEntry(
        created_at=chain[1].created_at,
        actor_label="angreifer",
        action="organisation.update",
        object_type="accounts.organisation",
        object_id="1",
        changed_fields=["name"],
        prev_hash=chain[-1].hash,
    )
    fake.hash = fake.compute_hash()
    fake.save()
    # A correctly chained append is indistinguishable; an insertion in the middle is not:
    with trigger_disabled():
        AuditEntry.objects.filter(pk=fake.pk).update(prev_hash=chain[1].hash)
    fake.refresh_from_db()
    fake.hash = fake.compute_hash()
    with trigger_disabled():
        AuditEntry.objects.filter(pk=fake.pk).update(hash=fake.hash)
    report = verify_chain()
    assert report.broken_entry_id == fake.pk
    with pytest.raises(CommandError, match=f"#{fake.pk}"):
        verify()


def test_row_inserted_with_lower_id_is_found(chain):
    # An attacker who re-uses a free id before an existing row.
    victim = chain[2]
    with trigger_disabled():
        AuditEntry.objects.filter(pk=victim.pk).delete()
        forged = AuditEntry(
            pk=victim.pk,
            created_at=victim.created_at,
            actor_label=victim.actor_label,
            action="organisation.delete",
            object_type=victim.object_type,
            object_id=victim.object_id,
            changed_fields=[],
            prev_hash=victim.prev_hash,
        )
        forged.hash = forged.compute_hash()
        forged.save(force_insert=True)
    assert verify_chain().broken_entry_id == chain[3].pk


def test_postgresql_trigger_rejects_update_and_delete(chain):
    if connection.vendor != "postgresql":
        pytest.skip("Trigger gibt es nur auf PostgreSQL")
    entry = chain[0]
    with pytest.raises(DatabaseError, match="unveränderlich"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(DatabaseError, match="unveränderlich"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk, action=entry.action).exists()
    assert verify_chain().ok
