"""The retention protocol: every app's ``retention.py`` lists its rules.

``manage.py apply_retention`` collects ``rules()`` from every app, shows what
each would erase (``--dry-run``) and applies them, each in one transaction
with one audit entry.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from schutznetz.core.models import AccessLogEntry
from schutznetz.core.ratelimit import ended_counters


@dataclass(frozen=True)
class RetentionRule:
    name: str
    description: str
    # Returns a queryset of what is due now.
    due: Callable
    # Erases/anonymises the given queryset; returns how many records it changed.
    apply: Callable


def _access_log_due():
    cutoff = timezone.now() - timedelta(days=settings.SCHUTZNETZ_ACCESS_LOG_RETENTION_DAYS)
    return AccessLogEntry.objects.filter(created_at__lt=cutoff)


def _delete(queryset):
    count = queryset.count()
    queryset.delete()
    return count


def rules():
    return [
        RetentionRule(
            "core.access_log",
            "Zugriffsprotokoll älter als SCHUTZNETZ_ACCESS_LOG_RETENTION_DAYS Tage",
            _access_log_due,
            _delete,
        ),
        RetentionRule(
            "core.rate_counters",
            "Zähler der Begrenzungen (Hash von Adresse oder Code), deren Zeitfenster vorbei ist",
            ended_counters,
            _delete,
        ),
    ]
