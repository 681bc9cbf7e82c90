"""Retention of the network module's personal data.

Signatory names are kept as proof of who signed for a partner; ten years after a
partner's withdrawal they are replaced by a neutral label (the accession itself,
with function and date, stays as the network's record).
"""

import datetime

from django.conf import settings
from django.utils import timezone

from schutznetz.core.retention import RetentionRule
from schutznetz.core.services import record_audit, service
from schutznetz.network.models import Accession, Confirmation

ERASED = "(gelöscht)"


def _days():
    return getattr(settings, "SCHUTZNETZ_NETWORK_SIGNATORY_RETENTION_DAYS", 10 * 365)


def _withdrawn_due():
    cutoff = timezone.localdate() - datetime.timedelta(days=_days())
    return Accession.objects.filter(withdrawn_on__lt=cutoff).exclude(signatory_name=ERASED)


@service
def _erase_signatories(queryset):
    count = 0
    for accession in queryset.select_related("organisation"):
        accession.signatory_name = ERASED
        accession.save(update_fields=["signatory_name"])
        # Only confirmations given during that membership: a partner that re-joined keeps the new names.
        confirmations = Confirmation.objects.filter(
            organisation=accession.organisation, confirmed_on__lte=accession.withdrawn_on
        ).exclude(signatory_name=ERASED)
        confirmations.update(signatory_name=ERASED)
        count += 1
    if count:
        record_audit(None, "retention.network_signatories", ("network.accession", "*"), ["signatory_name"])
    return count


def rules():
    return [
        RetentionRule(
            "network.signatories",
            "Namen der Unterzeichnenden 10 Jahre nach Austritt des Partners (SCHUTZNETZ_NETWORK_SIGNATORY_RETENTION_DAYS)",
            _withdrawn_due,
            _erase_signatories,
        )
    ]
