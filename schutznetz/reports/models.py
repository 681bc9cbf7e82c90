"""Report jobs: an annual report generated in the background, with its progress and file.

A report over a whole year can take longer than a web request should; the
dashboard starts a job, a django-tasks worker fills it in (progress, then the
file), and the page polls for the result. The file is kept in the database
(it is an aggregate report without personal data, a few hundred kilobytes)
so no media directory has to be secured, and deleted after
``SCHUTZNETZ_REPORT_JOB_RETENTION_DAYS`` (default 7) by the retention command.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.core import personal_data


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX (Excel)"
    JSON = "json", "JSON"


class JobStatus(models.TextChoices):
    PENDING = "pending", _("wartet")
    RUNNING = "running", _("läuft")
    DONE = "done", _("fertig")
    FAILED = "failed", _("fehlgeschlagen")


class ReportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("Jahr"))
    format = models.CharField(_("Format"), max_length=10, choices=ReportFormat.choices)
    status = models.CharField(
        _("Status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("Fortschritt in Prozent"), default=0)
    step = models.CharField(_("Schritt"), max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    filename = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Berichtsauftrag")
        verbose_name_plural = _("Berichtsaufträge")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{_('Jahresbericht')} {self.year} ({self.format})"

    # A year's report takes minutes; a job unfinished after this long has lost its worker
    # (not running, or killed): the page says so instead of polling for ever.
    STALE_AFTER = timedelta(hours=1)

    @property
    def is_finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_stale(self):
        return not self.is_finished and self.created_at < timezone.now() - self.STALE_AFTER


personal_data.not_personal(
    ReportJob, "filename", reason=_("Dateiname des Berichts, z. B. jahresbericht-2025.pdf")
)
