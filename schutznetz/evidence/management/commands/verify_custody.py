from django.core.management.base import BaseCommand, CommandError

from schutznetz.core.progress import progress
from schutznetz.evidence.custody import verify_all
from schutznetz.evidence.models import Kit


class Command(BaseCommand):
    help = "Prüft die Hash-Ketten der Verwahrung aller Spurensicherungs-Sets; Exit-Code 0 nur wenn alle intakt sind."

    def handle(self, *args, **options):
        total = Kit.objects.count()
        with progress(None, total=total, description="Verwahrungsketten") as bar:
            report = verify_all(progress=bar.update)
        if not report.ok:
            for code, problem in report.problems:
                self.stderr.write(f"{code}: {problem}")
            raise CommandError(
                f"Verwahrungskette gebrochen bei {len({c for c, _ in report.problems})} von {report.kits} Sets."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Verwahrungsketten intakt: {report.kits} Sets, {report.events} Ereignisse geprüft."
            )
        )
