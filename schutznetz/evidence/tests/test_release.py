from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from schutznetz.evidence import services
from schutznetz.evidence.models import EventKind, KitStatus, ReminderChannel

from .conftest import at_institute

pytestmark = pytest.mark.django_db


def test_release_needs_a_recorded_waiver(sites):
    kit, _ = at_institute(sites)
    with pytest.raises(ValidationError, match="Schweigepflichtentbindung"):
        services.release(sites.lab_user, kit, seal_number="S-1")
    kit.refresh_from_db()
    assert kit.status == KitStatus.CONFIDENTIAL


def test_waiver_input_is_checked_field_by_field(sites):
    kit, _ = at_institute(sites)
    with pytest.raises(ValidationError) as exc:
        services.record_waiver(
            sites.lab_user,
            kit,
            signed_on=timezone.localdate() + timedelta(days=1),
            form_reference="",
            recipient_kind="irgendwer",
            recipient_office=" ",
        )
    assert set(exc.value.message_dict) == {
        "signed_on",
        "form_reference",
        "recipient_kind",
        "recipient_office",
    }
    assert not hasattr(kit, "waiver") or kit.waiver is None


def test_release_flow_hands_the_kit_out_of_custody(sites):
    kit, _ = at_institute(sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="a@example.org")
    with pytest.raises(PermissionDenied):
        # only the holder records the waiver
        services.record_waiver(
            sites.clinic_user,
            kit,
            signed_on=timezone.localdate(),
            form_reference="F-1",
            recipient_kind="polizei",
            recipient_office="KPB Soest",
        )
    services.record_waiver(
        sites.lab_user,
        kit,
        signed_on=timezone.localdate(),
        form_reference="F-1",
        recipient_kind="polizei",
        recipient_office="Kreispolizeibehörde Soest, KK 12",
    )
    services.release(sites.lab_user, kit, seal_number="S-1", reason="Abholung")
    kit.refresh_from_db()
    assert kit.status == KitStatus.RELEASED and kit.holder is None and kit.closed_at is not None
    assert kit.reminder_contact == "" and kit.reminder_channel == ReminderChannel.NONE
    last = kit.events.last()
    assert last.kind == EventKind.RELEASED
    assert last.recipient_office == "Polizeidienststelle: Kreispolizeibehörde Soest, KK 12"
    with pytest.raises(ValidationError):
        services.record_storage(sites.lab_user, kit, reason="x")
    with pytest.raises(ValidationError):
        services.release(sites.lab_user, kit, seal_number="S-1")
