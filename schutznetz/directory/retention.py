"""Retention of the directory's records that name staff members.

Offers themselves describe institutions and are kept while they exist. Shelter
reports are kept for statistics, but who reported is removed after two years;
reviewed revisions (with who proposed and who reviewed) are deleted after a year.
"""

from datetime import timedelta

from django.utils import timezone

from schutznetz.core.retention import RetentionRule
from schutznetz.directory.models import OfferRevision, RevisionStatus, ShelterReport

REPORTER_DAYS = 2 * 365
REVISION_DAYS = 365


def _reports_due():
    cutoff = timezone.now() - timedelta(days=REPORTER_DAYS)
    return ShelterReport.objects.filter(reported_at__lt=cutoff, reported_by__isnull=False)


def _anonymise_reports(queryset):
    return queryset.update(reported_by=None)


def _revisions_due():
    cutoff = timezone.now() - timedelta(days=REVISION_DAYS)
    return OfferRevision.objects.exclude(status=RevisionStatus.PENDING).filter(reviewed_at__lt=cutoff)


def _delete(queryset):
    count = queryset.count()
    queryset.delete()
    return count


def rules():
    return [
        RetentionRule(
            "directory.shelter_reporter",
            "Frauenhaus-Meldungen älter als 2 Jahre: meldende Person entfernen (Zahlen bleiben für die Statistik)",
            _reports_due,
            _anonymise_reports,
        ),
        RetentionRule(
            "directory.revisions",
            "Geprüfte Änderungsvorschläge zu Angeboten älter als 1 Jahr löschen",
            _revisions_due,
            _delete,
        ),
    ]
