"""Background work: the annual report is written by a django-tasks worker, not in a request."""

import logging

from django.utils.translation import gettext_noop
from django_tasks import task

logger = logging.getLogger(__name__)
# Stored on the job in German and translated where it is shown.
INTERNAL_ERROR = gettext_noop("Interner Fehler beim Erstellen des Berichts.")


@task()
def generate_annual_report(job_id):
    from schutznetz.reports import annual, services
    from schutznetz.reports.models import ReportJob

    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    try:
        report = annual.build(
            job.year, progress=lambda percent, step: services.set_progress(job_id, percent, step)
        )
        content = annual.render(report, job.format)
    except Exception:  # noqa: BLE001 - any failure is recorded on the job for the user
        logger.exception("Jahresbericht %s fehlgeschlagen", job_id)
        services.finish_job(job_id, error=INTERNAL_ERROR)
        return None
    services.finish_job(job_id, content=content, filename=annual.filename(job.year, job.format))
    return job_id
