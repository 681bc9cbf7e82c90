"""Background jobs of the directory (django-tasks)."""

from django_tasks import task

from schutznetz.directory import services


@task()
def send_verification_reminders():
    """Remind editors to re-verify offers older than six months (run daily)."""
    return services.send_verification_reminders()
