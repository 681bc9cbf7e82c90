"""manage.py load_region FILE [--name NAME]

Replaces the region (municipalities with population and centre) the gap analysis
and the distance ranking use. CSV columns: name, kind, population, lat, lon and
optionally women_share (0–1) and postcodes (space separated). Offers keep their
municipality where the new file has one of the same name.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schutznetz.directory import regions, services


class Command(BaseCommand):
    help = "Lädt die Gemeinden einer Region (CSV) für Lückenanalyse und Entfernungen."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--name", help="Name der Region, z. B. „Kreis Soest“ (Standard: Dateiname)")

    def handle(self, *args, file, name, **options):
        path = Path(file)
        try:
            rows = regions.parse_region_csv(path.read_text(encoding="utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"Datei {file} kann nicht gelesen werden: {exc}") from exc
        except regions.RegionFileError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} Fehler – nichts geladen.") from exc
        region_name = name or path.stem.replace("-municipalities", "").replace("-", " ").title()
        count = services.load_region(None, region_name, rows)
        self.stdout.write(f"Region {region_name}: {count} Gemeinden geladen.")
