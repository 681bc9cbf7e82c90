"""Put tasks back in the queue that a task worker left "running" when it was killed.

django-tasks-db marks a task RUNNING when a worker claims it. A worker killed in the middle (out of
memory, SIGKILL, power cut) leaves it so for ever, and its mail would never be sent. The worker's
systemd unit runs this with ``--all`` before the worker starts, which is right where one worker
serves the installation; with several workers, run it with ``--older-than`` (longer than any task
takes) from the daily timer instead. A requeued task runs again from the start: our tasks may be
repeated (the worst case is a second, identical mail).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Setzt Aufgaben, die ein abgebrochener Task-Worker als „läuft“ hinterlassen hat, zurück in die Warteschlange."

    def add_arguments(self, parser):
        limit = parser.add_mutually_exclusive_group(required=True)
        limit.add_argument(
            "--all", action="store_true", help="alle laufenden Aufgaben (nur, wenn gerade kein Worker läuft)"
        )
        limit.add_argument(
            "--older-than", type=int, metavar="MINUTEN", help="nur Aufgaben, die seit mehr Minuten laufen"
        )

    def handle(self, *args, **options):
        stalled = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        if not options["all"]:
            stalled = stalled.filter(started_at__lt=timezone.now() - timedelta(minutes=options["older_than"]))
        with transaction.atomic():
            count = stalled.update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"{count} abgebrochene Aufgabe(n) wieder in die Warteschlange gestellt.")
