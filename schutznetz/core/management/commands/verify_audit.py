from django.core.management.base import BaseCommand, CommandError

from schutznetz.core.audit import verify_chain


class Command(BaseCommand):
    help = "Prüft die Hash-Kette des Audit-Protokolls; Exit-Code 0 nur bei intakter Kette."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit-Kette gebrochen bei Eintrag #{report.broken_entry_id}: {report.reason} "
                f"({report.checked} Einträge davor sind intakt)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit-Kette intakt: {report.checked} Einträge geprüft."))
