from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from schutznetz.core import crypto
from schutznetz.core.audit import record
from schutznetz.core.fields import encrypted_fields
from schutznetz.core.progress import progress

BATCH = 500


class Command(BaseCommand):
    help = (
        "Verschlüsselt alle verschlüsselten Felder neu mit dem aktiven (ersten) Schlüssel aus "
        "SCHUTZNETZ_FIELD_KEYS. Danach können alte Schlüssel aus der Liste entfernt werden."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "models",
            nargs="*",
            metavar="app_label.Model",
            help="Nur diese Modelle (Standard: alle Modelle mit verschlüsselten Feldern).",
        )

    def handle(self, *args, models=(), **options):
        chosen = [apps.get_model(label) for label in models] if models else apps.get_models()
        targets = [(model, encrypted_fields(model)) for model in chosen]
        targets = [(model, fields) for model, fields in targets if fields]
        total = sum(model._base_manager.count() for model, _ in targets)
        active = crypto.active_key_id()
        self.stdout.write(f"Aktiver Schlüssel: {active}; {total} Datensätze in {len(targets)} Modellen.")
        bar = progress(total=total, description="Schlüsselwechsel", disable=False)
        rewritten = 0
        for model, fields in targets:
            names = [field.name for field in fields]
            pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                chunk = pks[start : start + BATCH]
                with transaction.atomic():
                    for row in model._base_manager.filter(pk__in=chunk).values("pk", *names):
                        pk = row.pop("pk")
                        # update() runs get_prep_value, which encrypts under the active key.
                        model._base_manager.filter(pk=pk).update(**row)
                        rewritten += 1
                    record(None, "crypto.rotate_keys", (model._meta.label_lower, ""), names)
                bar.update(len(chunk))
        bar.close()
        if not models:
            from schutznetz.accounts.adapter import reencrypt_authenticators

            with transaction.atomic():
                mfa = reencrypt_authenticators()
                if mfa:
                    record(None, "crypto.rotate_keys", ("mfa.authenticator", ""), ["data"])
            self.stdout.write(f"{mfa} Zweitfaktoren (TOTP, Wiederherstellungscodes) neu verschlüsselt.")
        self.stdout.write(
            self.style.SUCCESS(f"{rewritten} Datensätze neu verschlüsselt mit Schlüssel {active}.")
        )
