"""manage.py import_offers FILE [--dry-run]

Reads HSDS 3.0 JSON (a list of services with organization and locations nested) or
the CSV template ``schutznetz/directory/data/angebote-vorlage.csv`` (columns in
``schutznetz.directory.hsds.CSV_COLUMNS``). Everything is validated first; any
error is reported with record/line and field and nothing is imported. A
re-import updates offers and providers matched on their HSDS ids.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from schutznetz.directory import hsds, importer, services


class Command(BaseCommand):
    help = "Importiert Hilfeangebote aus HSDS-JSON oder der CSV-Vorlage (alles oder nichts)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="nur prüfen und berichten, nichts speichern"
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Datei {file} kann nicht gelesen werden: {exc}") from exc
        try:
            items = importer.parse_file(path.name, text)
            created, updated = importer.import_items(None, items, dry_run=dry_run)
        except hsds.ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} Fehler – nichts importiert.") from exc
        if not dry_run:
            services.refresh_statistics()
        prefix = "Probelauf (nichts gespeichert): " if dry_run else ""
        self.stdout.write(f"{prefix}{len(items)} Angebote geprüft, {created} neu, {updated} aktualisiert.")
