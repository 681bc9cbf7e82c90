"""Deadline reminders: each (deadline, kind, due date) is remembered once it went out.

Kinds: ``upcoming`` (due within the lead time) and ``overdue``. A moved due date
(e.g. a return ban extended by a court application) gets a fresh reminder.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schutznetz.accounts.models import Role, User
from schutznetz.cases.models import CaseStatus, Deadline, Participation, ReminderSent
from schutznetz.cases.tasks import send_case_mail
from schutznetz.core.audit import record


def enqueue_due_reminders(days=7, today=None):
    today = today or timezone.localdate()
    # Only to organisations that still take part: a reminder tells that a deadline exists in a
    # case, which an organisation whose participation ended (or that was switched off) has no
    # business knowing any more; its link would only answer 404.
    still_participates = Participation.objects.filter(
        case_id=OuterRef("case_id"), organisation_id=OuterRef("organisation_id"), ended_at__isnull=True
    )
    due = Deadline.objects.filter(
        Exists(still_participates),
        done_at__isnull=True,
        case__status=CaseStatus.OPEN,
        due_date__lte=today + timedelta(days=days),
        organisation__is_active=True,
    ).select_related("case")
    count = 0
    for deadline in due.iterator():
        kind = "overdue" if deadline.due_date < today else "upcoming"
        try:
            with transaction.atomic():
                ReminderSent.objects.create(deadline=deadline, kind=kind, due_date=deadline.due_date)
                record(None, "deadline.reminder", deadline, ["reminders"])
        except IntegrityError:
            continue
        users = User.objects.filter(
            organisation_id=deadline.organisation_id, is_active=True, role_assignments__role=Role.FACHKRAFT
        ).values_list("pk", flat=True)
        subject = (
            _("schutznetz: Frist überschritten")
            if kind == "overdue"
            else _("schutznetz: Frist läuft bald ab")
        )
        send_case_mail.enqueue(
            list(users),
            str(subject),
            reverse("cases:detail", args=[deadline.case_id]),
            str(_("Eine Frist in einem Fall Ihrer Organisation ist bald fällig oder überschritten.")),
        )
        count += 1
    return count
