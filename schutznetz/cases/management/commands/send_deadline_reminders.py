from django.core.management.base import BaseCommand

from schutznetz.cases.reminders import enqueue_due_reminders


class Command(BaseCommand):
    help = "Stellt Erinnerungen an fällige und überfällige Fristen in die Aufgabenwarteschlange (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="Vorlauf in Tagen (Standard 7).")

    def handle(self, *args, days=7, **options):
        count = enqueue_due_reminders(days=days)
        self.stdout.write(self.style.SUCCESS(f"{count} Erinnerungen eingeplant."))
