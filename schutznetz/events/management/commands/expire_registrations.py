from django.core.management.base import BaseCommand

from schutznetz.events import services


class Command(BaseCommand):
    help = "Lässt unbestätigte Anmeldungen nach 24 Stunden verfallen und vergibt frei gewordene Plätze an die Warteliste."

    def handle(self, *args, **options):
        expired, promoted = services.expire_registrations()
        self.stdout.write(
            self.style.SUCCESS(f"{expired} Anmeldungen verfallen, {promoted} von der Warteliste nachgerückt.")
        )
