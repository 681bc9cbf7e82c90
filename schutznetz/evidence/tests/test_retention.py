from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from schutznetz.core.models import AuditEntry
from schutznetz.evidence import queries, retention, services
from schutznetz.evidence.models import Kit, ReminderChannel, add_years

from .conftest import at_institute, register

pytestmark = pytest.mark.django_db


def _set_retention(kit, days_from_today):
    Kit.objects.filter(pk=kit.pk).update(
        retention_until=timezone.localdate() + timedelta(days=days_from_today)
    )
    kit.refresh_from_db()


def test_expiry_follows_the_programme(sites):
    sites.programme.retention_years = 3
    sites.programme.save()
    kit, _ = register(sites, days_ago=0)
    assert kit.retention_until == add_years(timezone.localdate(kit.examined_at), 3)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_programme_retention_is_validated(sites):
    with pytest.raises(ValidationError) as exc:
        services.save_programme(
            None, title="X", storage_site=sites.institute, clinics=[sites.clinic], retention_years=0
        )
    assert "retention_years" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.save_programme(None, title="X", storage_site=sites.clinic, clinics=[sites.clinic])
    assert "storage_site" in exc.value.message_dict


def test_lists_of_kits_expiring_in_30_and_60_days(sites):
    soon, _ = at_institute(sites)
    later, _ = at_institute(sites)
    far, _ = at_institute(sites)
    _set_retention(soon, 10)
    _set_retention(later, 45)
    _set_retention(far, 90)
    assert list(queries.expiring(sites.lab_user, 30)) == [soon]
    assert list(queries.expiring(sites.lab_user, 60, after_days=30)) == [later]
    # Only the holding site sees them.
    assert list(queries.expiring(sites.clinic_user, 60)) == []


def test_extension_needs_a_reason_and_a_later_date(sites):
    kit, _ = at_institute(sites)
    old = kit.retention_until
    with pytest.raises(ValidationError) as exc:
        services.extend_retention(sites.lab_user, kit, new_until=old + timedelta(days=365), reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.extend_retention(sites.lab_user, kit, new_until=old, reason="Wunsch")
    assert "new_until" in exc.value.message_dict
    services.extend_retention(
        sites.lab_user, kit, new_until=old + timedelta(days=365), reason="Auf Wunsch der Person"
    )
    kit.refresh_from_db()
    assert kit.retention_until == old + timedelta(days=365)
    assert kit.extensions.get().previous_until == old


def test_reminder_goes_60_days_before_destruction_once_and_only_by_choice(sites, mailoutbox):
    chosen, _ = at_institute(
        sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="sicher@example.org"
    )
    silent, _ = at_institute(sites)
    _set_retention(chosen, 61)
    _set_retention(silent, 30)
    assert services.send_due_reminders() == {"email": 0, "phone": 0}
    _set_retention(chosen, 60)
    call_command("send_evidence_reminders")
    call_command("send_evidence_reminders")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["sicher@example.org"]
    assert (timezone.localdate() + timedelta(days=60)).strftime("%d.%m.%Y") in mail.body
    # Neutral: nothing about violence or evidence in a mailbox someone else may read.
    for word in ("Gewalt", "Spur", "Vergewaltigung", chosen.code):
        assert word not in mail.subject + mail.body
    # An extension brings a new reminder before the new date.
    services.extend_retention(
        sites.lab_user, chosen, new_until=timezone.localdate() + timedelta(days=65), reason="Wunsch"
    )
    services.send_due_reminders()
    assert len(mailoutbox) == 1
    services.send_due_reminders(now=timezone.now() + timedelta(days=5))
    assert len(mailoutbox) == 2


def test_phone_reminders_become_a_call_for_the_holding_site(sites, mailoutbox):
    kit, _ = at_institute(sites, reminder_channel=ReminderChannel.PHONE, reminder_contact="0171 000000")
    _set_retention(kit, 50)
    assert services.send_due_reminders() == {"email": 0, "phone": 1}
    assert services.send_due_reminders() == {"email": 0, "phone": 0}
    assert mailoutbox == []
    assert [k.reminder_contact for k in queries.calls_due(sites.lab_user)] == ["0171 000000"]
    assert queries.calls_due(sites.clinic_user) == []
    services.mark_call_done(sites.lab_user, kit)
    assert queries.calls_due(sites.lab_user) == []


def test_reminder_task_runs_the_same_logic(sites, mailoutbox):
    from schutznetz.evidence.tasks import send_evidence_reminders

    kit, _ = at_institute(sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="a@example.org")
    _set_retention(kit, 5)
    result = send_evidence_reminders.enqueue()
    assert result.return_value == {"email": 1, "phone": 0}
    assert len(mailoutbox) == 1


def test_contact_is_encrypted_at_rest_and_erased_with_the_kit(sites):
    kit, _ = at_institute(
        sites, days_ago=3700, reminder_channel=ReminderChannel.EMAIL, reminder_contact="geheim@example.org"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT reminder_contact FROM evidence_kit WHERE id = %s", [kit.pk])
        raw = cursor.fetchone()[0]
    assert "geheim" not in raw
    services.destroy(sites.lab_user, kit, witness=sites.lab_witness)
    kit.refresh_from_db()
    assert kit.reminder_contact == "" and kit.reminder_channel == ReminderChannel.NONE


def test_retention_rule_erases_contacts_left_on_closed_kits(sites):
    kit, _ = at_institute(sites, days_ago=3700)
    services.destroy(sites.lab_user, kit, witness=sites.lab_witness)
    # A contact left behind by some other path (e.g. a data correction):
    Kit.objects.filter(pk=kit.pk).update(
        reminder_channel=ReminderChannel.EMAIL, reminder_contact="x@example.org"
    )
    open_kit, _ = at_institute(
        sites, reminder_channel=ReminderChannel.EMAIL, reminder_contact="y@example.org"
    )
    (rule,) = retention.rules()
    assert list(rule.due()) == [kit]
    # What `manage.py apply_retention` does with each rule (run directly: other apps' rules are not ours to test).
    assert rule.apply(rule.due()) == 1
    kit.refresh_from_db()
    open_kit.refresh_from_db()
    assert kit.reminder_contact == "" and open_kit.reminder_contact == "y@example.org"
    assert AuditEntry.objects.filter(action="evidence.kit.erase_contact").count() == 1
    assert list(rule.due()) == []
