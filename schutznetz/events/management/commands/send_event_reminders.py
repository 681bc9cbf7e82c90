from django.core.management.base import BaseCommand

from schutznetz.events import services


class Command(BaseCommand):
    help = "Erinnert bestätigte Teilnehmende zwei Tage vor der Veranstaltung (einmal je Anmeldung)."

    def handle(self, *args, **options):
        count = services.send_reminders()
        self.stdout.write(self.style.SUCCESS(f"{count} Erinnerungen verschickt."))
