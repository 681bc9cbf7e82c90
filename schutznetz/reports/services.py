"""Writes of the reports module: starting an annual report job and recording its result."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from schutznetz.core.services import record_audit, service
from schutznetz.reports.models import JobStatus, ReportJob


@service
def start_annual_report(actor, *, year, fmt):
    """Create a job and hand it to the task queue (after commit, so the worker finds it)."""
    if not actor.has_perm("reports.create_annual_report"):
        raise PermissionDenied
    job = ReportJob.objects.create(requested_by=actor, year=year, format=fmt, step="")
    record_audit(actor, "report.annual_start", job, ["year", "format"])
    from schutznetz.reports.tasks import generate_annual_report

    transaction.on_commit(lambda: generate_annual_report.enqueue(str(job.pk)))
    return job


def set_progress(job_id, percent, step):
    """Bookkeeping while the worker runs (no audit entry: not a change anyone made)."""
    ReportJob.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, progress=max(0, min(100, int(percent))), step=str(step)[:200]
    )


@service
def finish_job(job_id, *, content=None, filename="", error=""):
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    job.status = JobStatus.FAILED if error else JobStatus.DONE
    job.progress = 100
    job.step = ""
    job.content = content
    job.filename = filename
    job.error = error[:300]
    job.finished_at = timezone.now()
    job.save()
    record_audit(None, "report.annual_finish", job, ["status", "content"])
    return job
