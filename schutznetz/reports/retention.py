"""Report files are kept only for download: jobs older than a week are deleted."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.core.retention import RetentionRule


def _cutoff():
    days = int(getattr(settings, "SCHUTZNETZ_REPORT_JOB_RETENTION_DAYS", 7))
    return timezone.now() - timedelta(days=days)


def _due():
    from schutznetz.reports.models import ReportJob

    return ReportJob.objects.filter(created_at__lt=_cutoff())


def _apply(queryset):
    count = queryset.count()
    queryset.delete()
    return count


def rules():
    return [
        RetentionRule(
            "reports.report_jobs",
            _(
                "Erzeugte Berichtsdateien nach SCHUTZNETZ_REPORT_JOB_RETENTION_DAYS Tagen (Standard 7) löschen"
            ),
            _due,
            _apply,
        )
    ]
