import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from schutznetz.core.models import AuditEntry
from schutznetz.evidence import services
from schutznetz.evidence.models import CustodyEvent, EventKind, Kit, KitStatus

from .conftest import at_institute, register

pytestmark = pytest.mark.django_db


def test_register_seals_at_the_clinic_and_keeps_only_a_pin_hash(sites):
    kit, pin = register(sites)
    assert kit.holder == sites.clinic and kit.status == KitStatus.CONFIDENTIAL
    assert pin not in kit.pin_hash and len(pin) == 6
    events = list(kit.events.all())
    assert [e.kind for e in events] == [EventKind.SEALED]
    assert events[0].site == sites.clinic and events[0].seal_number == "S-1"
    assert kit.retention_until.year == kit.examined_at.year + 10
    assert sorted(kit.items.values_list("category", "count")) == [("blood", 1), ("swabs", 3)]
    assert AuditEntry.objects.filter(action="evidence.kit.register", object_id=str(kit.pk)).count() == 1


def test_kits_have_no_field_for_identity_or_findings():
    names = {f.name for model in (Kit, CustodyEvent) for f in model._meta.get_fields()}
    for forbidden in (
        "name",
        "first_name",
        "last_name",
        "birth",
        "date_of_birth",
        "address",
        "finding",
        "findings",
        "diagnosis",
        "notes",
    ):
        assert not any(forbidden == n or n.startswith(forbidden) for n in names), forbidden


def test_only_staff_of_a_programme_clinic_registers(sites):
    outsider = sites.koordination
    with pytest.raises(PermissionDenied):
        register(sites, actor=outsider)
    with pytest.raises(PermissionDenied):
        register(sites, actor=sites.lab_user)  # the institute is no examination site
    with pytest.raises(ValidationError) as exc:
        register(sites, items={"swabs": 0})
    assert "items" in exc.value.message_dict
    assert Kit.objects.count() == 0


def test_only_the_holder_hands_on(sites):
    kit, _ = register(sites)
    with pytest.raises(PermissionDenied):
        services.hand_over(sites.lab_user, kit, to_site=sites.institute, seal_number="S-1")
    with pytest.raises(PermissionDenied):
        services.hand_over(sites.clinic_b_user, kit, to_site=sites.institute, seal_number="S-1")
    with pytest.raises(ValidationError) as exc:
        services.hand_over(sites.clinic_user, kit, to_site=sites.other_clinic, seal_number="S-1")
    assert "to_site" in exc.value.message_dict
    assert kit.events.count() == 1


def test_handover_is_pending_until_receipt(sites):
    kit, _ = register(sites)
    services.hand_over(sites.clinic_user, kit, to_site=sites.institute, seal_number="S-1")
    kit.refresh_from_db()
    assert kit.holder == sites.clinic and kit.pending_to == sites.institute
    # Nobody acts on a kit in transit: not the sender, not the receiver before confirming.
    with pytest.raises(ValidationError):
        services.hand_over(sites.clinic_user, kit, to_site=sites.clinic_b, seal_number="S-1")
    with pytest.raises(PermissionDenied):
        services.record_storage(sites.lab_user, kit, reason="Kühlraum")
    with pytest.raises(PermissionDenied):
        services.confirm_receipt(sites.clinic_b_user, kit, seal_number="S-1")
    services.confirm_receipt(sites.lab_user, kit, seal_number="S-1")
    kit.refresh_from_db()
    assert kit.holder == sites.institute and kit.pending_to is None
    assert [e.kind for e in kit.events.all()] == [EventKind.SEALED, EventKind.HANDED_OVER, EventKind.RECEIVED]
    # The clinic no longer holds it.
    with pytest.raises(PermissionDenied):
        services.record_storage(sites.clinic_user, kit, reason="x")
    services.record_storage(sites.lab_user, kit, reason="Kühlraum 2")
    with pytest.raises(PermissionDenied):
        services.confirm_receipt(sites.lab_user, kit, seal_number="S-1")


def test_a_different_seal_on_receipt_needs_a_reason(sites):
    kit, _ = register(sites)
    services.hand_over(sites.clinic_user, kit, to_site=sites.institute, seal_number="S-1")
    with pytest.raises(ValidationError) as exc:
        services.confirm_receipt(sites.lab_user, kit, seal_number="S-2")
    assert "reason" in exc.value.message_dict
    services.confirm_receipt(
        sites.lab_user, kit, seal_number="S-2", reason="Siegel beim Transport beschädigt, neu versiegelt"
    )
    assert kit.events.last().seal_number == "S-2"


def test_no_event_after_destruction(sites):
    kit, _ = at_institute(sites, days_ago=3700)
    services.destroy(sites.lab_user, kit, witness=sites.lab_witness, seal_number="S-1")
    kit.refresh_from_db()
    assert kit.status == KitStatus.DESTROYED and kit.holder is None
    count = kit.events.count()
    for attempt in (
        lambda: services.record_storage(sites.lab_user, kit, reason="x"),
        lambda: services.hand_over(sites.lab_user, kit, to_site=sites.clinic, seal_number="S"),
        lambda: services.destroy(sites.lab_user, kit, witness=sites.lab_witness),
        lambda: services.release(sites.lab_user, kit, seal_number="S"),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert kit.events.count() == count
    destroyed = kit.events.last()
    assert destroyed.kind == EventKind.DESTROYED and destroyed.witness_label == "labor-zeugin"


def test_destruction_needs_a_real_witness_and_a_reason_before_expiry(sites):
    kit, _ = at_institute(sites)
    with pytest.raises(ValidationError) as exc:
        services.destroy(sites.lab_user, kit, witness=sites.lab_user)
    assert "witness" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.destroy(sites.lab_user, kit, witness=sites.clinic_user)
    assert "witness" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.destroy(sites.lab_user, kit, witness=sites.lab_witness)
    assert "reason" in exc.value.message_dict
    services.destroy(sites.lab_user, kit, witness=sites.lab_witness, reason="Auf Wunsch der Person")
    assert AuditEntry.objects.filter(action="evidence.kit.destroy", object_id=str(kit.pk)).exists()


def test_verify_custody_passes_on_intact_chains(sites, capsys):
    at_institute(sites)
    register(sites)
    call_command("verify_custody")
    assert "2 Sets, 4 Ereignisse" in capsys.readouterr().out


@pytest.mark.parametrize(
    "tamper",
    [
        lambda kit: CustodyEvent.objects.filter(kit=kit, seq=2).update(seal_number="S-999"),
        lambda kit: CustodyEvent.objects.filter(kit=kit, seq=1).update(reason="nachträglich"),
        lambda kit: CustodyEvent.objects.filter(kit=kit, seq=3).delete(),
        lambda kit: CustodyEvent.objects.filter(kit=kit, seq=2).update(to_site=kit.clinic),
    ],
    ids=["seal", "reason", "last-removed", "destination"],
)
def test_tampering_makes_verify_custody_fail(sites, tamper):
    kit, _ = at_institute(sites)
    untouched, _ = register(sites)
    tamper(kit)
    with pytest.raises(CommandError, match="1 von 2 Sets"):
        call_command("verify_custody")


def test_personal_fields_are_declared():
    from django.apps import apps

    from schutznetz.core import personal_data

    models = apps.get_app_config("evidence").get_models()
    assert personal_data.undeclared_fields(models) == []
    declared = {(p.model_label, p.field) for p in personal_data.personal_fields()}
    assert ("evidence.Kit", "reminder_contact") in declared
