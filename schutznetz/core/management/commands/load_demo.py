from django.core.management.base import BaseCommand
from django.db import transaction

from schutznetz.core.hooks import app_modules


class Command(BaseCommand):
    help = "Legt die Demo-Daten an (Partner im Kreis Soest, Demo-Zugänge, Beispieldaten). Wiederholbar."

    def handle(self, *args, **options):
        for module in app_modules("demo"):
            with transaction.atomic():
                module.load(self.stdout)
        from schutznetz.accounts.demo import print_logins

        print_logins(self.stdout)
