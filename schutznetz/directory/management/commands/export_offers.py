"""manage.py export_offers --format hsds|csv|xlsx [--output FILE]

Exports the public offers (protected addresses left out) as HSDS 3.0 JSON, or as
the CSV template / XLSX with formula injection neutralised. Without ``--output``
the export goes to standard output.
"""

import json
import sys

from django.core.management.base import BaseCommand

from schutznetz.core.exports import csv_bytes, xlsx_bytes
from schutznetz.directory import hsds, queries
from schutznetz.directory.models import Municipality


def export_bytes(fmt, offers=None):
    offers = offers if offers is not None else queries.public_offers()
    offers = (
        offers.select_related("provider", "municipality").prefetch_related("schedules").order_by("name", "pk")
    )
    if fmt == "hsds":
        names = dict(Municipality.objects.values_list("slug", "name"))
        data = [hsds.offer_to_hsds(o, names) for o in offers.iterator(chunk_size=500)]
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    header = list(hsds.CSV_COLUMNS)
    rows = (hsds.csv_row(o) for o in offers.iterator(chunk_size=500))
    if fmt == "csv":
        return csv_bytes(header, rows)
    return xlsx_bytes(header, rows, title="Angebote")


class Command(BaseCommand):
    help = "Exportiert die öffentlichen Hilfeangebote als HSDS-JSON, CSV oder XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["hsds", "csv", "xlsx"], default="hsds")
        parser.add_argument("--output", help="Datei (sonst Standardausgabe)")

    def handle(self, *args, format, output, **options):
        content = export_bytes(format)
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"{output} geschrieben.")
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
