from django.core.management.base import BaseCommand
from django.db import transaction

from schutznetz.core.audit import record
from schutznetz.core.hooks import app_modules


def all_rules():
    return [rule for module in app_modules("retention") for rule in module.rules()]


class Command(BaseCommand):
    help = "Löscht oder anonymisiert Daten, deren Aufbewahrungsfrist abgelaufen ist (alle Module)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Nur anzeigen, was gelöscht würde.")

    def handle(self, *args, dry_run=False, **options):
        total = 0
        for rule in all_rules():
            if dry_run:
                count = rule.due().count()
                self.stdout.write(f"[Probelauf] {rule.name}: {count} – {rule.description}")
            else:
                with transaction.atomic():
                    count = rule.apply(rule.due())
                    if count:
                        record(None, "retention.apply", ("retention", rule.name), ["erased"])
                self.stdout.write(f"{rule.name}: {count} – {rule.description}")
            total += count
        verb = "würden bearbeitet" if dry_run else "bearbeitet"
        self.stdout.write(self.style.SUCCESS(f"Insgesamt {total} Datensätze {verb}."))
