"""Retention: the reminder contact goes with the kit.

Destroying or releasing a kit erases its contact in the same transaction;
this rule is the safety net for anything closed another way (e.g. an import
or an admin correction) and proves in ``apply_retention --dry-run`` that
nothing is left.
"""

from schutznetz.core.retention import RetentionRule
from schutznetz.evidence import services
from schutznetz.evidence.models import Kit, KitStatus, ReminderChannel


def _closed_with_contact():
    return Kit.objects.exclude(status=KitStatus.CONFIDENTIAL).exclude(
        reminder_channel=ReminderChannel.NONE, reminder_contact=""
    )


def rules():
    return [
        RetentionRule(
            "evidence.reminder_contacts",
            "Erinnerungskontakte vernichteter oder herausgegebener Spurensicherungs-Sets",
            _closed_with_contact,
            services.erase_closed_contacts,
        )
    ]
