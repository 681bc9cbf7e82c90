"""Identity data of closed cases is erased after SCHUTZNETZ_CASE_RETENTION_DAYS, unless a legal hold applies.

Anonymous statistics stay: category, municipality, dates, organisations, risk band,
number of children, repeat flag, conference links and action dates.
"""

from schutznetz.cases.models import Case, CaseStatus
from schutznetz.cases.services import erase_identity, retention_cutoff
from schutznetz.core.retention import RetentionRule


def due_cases():
    return Case.objects.filter(
        status=CaseStatus.CLOSED,
        closed_at__lt=retention_cutoff(),
        legal_hold=False,
        identity_erased_at__isnull=True,
    )


def apply(queryset):
    count = 0
    for case in queryset:
        erase_identity(case)
        count += 1
    return count


def rules():
    return [
        RetentionRule(
            "cases.identity",
            "Identitätsdaten abgeschlossener Fälle nach SCHUTZNETZ_CASE_RETENTION_DAYS Tagen (ohne Löschsperre)",
            due_cases,
            apply,
        )
    ]
