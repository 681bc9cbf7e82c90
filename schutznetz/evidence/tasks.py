"""Background work: the reminders before destruction (run daily by a worker or cron)."""

from django_tasks import task

from schutznetz.evidence import services


@task()
def send_evidence_reminders():
    """Send every due reminder once; safe to run as often as wanted."""
    return services.send_due_reminders()
