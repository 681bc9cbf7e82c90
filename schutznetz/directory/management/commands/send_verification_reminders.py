"""manage.py send_verification_reminders [--enqueue] — run daily (cron or a scheduler)."""

from django.core.management.base import BaseCommand

from schutznetz.directory import services, tasks


class Command(BaseCommand):
    help = "Erinnert Redakteurinnen an Angebote, die seit sechs Monaten nicht bestätigt wurden."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="als Hintergrundaufgabe einreihen (db_worker)"
        )

    def handle(self, *args, enqueue, **options):
        if enqueue:
            result = tasks.send_verification_reminders.enqueue()
            self.stdout.write(f"Eingereiht: {result.id}")
            return
        sent = services.send_verification_reminders()
        self.stdout.write(f"{sent} Erinnerungen verschickt.")
