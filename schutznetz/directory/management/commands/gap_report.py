"""manage.py gap_report --format json|md|pdf [--output FILE] [--art KIND]"""

import json
import sys

from django.core.management.base import BaseCommand

from schutznetz.core.pdf import render_pdf
from schutznetz.directory import gaps, taxonomy


class Command(BaseCommand):
    help = "Lückenanalyse gegen die Mindeststandards des Europarats (JSON, Markdown oder PDF)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "md", "pdf"], default="json")
        parser.add_argument("--output", help="Datei (sonst Standardausgabe)")
        parser.add_argument(
            "--art",
            choices=list(taxonomy.KINDS),
            default="frauenberatung",
            help="Art für das Entfernungsdiagramm (PDF)",
        )

    def handle(self, *args, format, output, art, **options):
        from schutznetz.directory.views import gap_context

        report = gaps.gap_analysis()
        if format == "json":
            content = (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        elif format == "md":
            content = gaps.as_markdown(report).encode("utf-8")
        else:
            content = render_pdf("directory/gaps_pdf.html", gap_context(report, art))
        if output:
            with open(output, "wb") as handle:
                handle.write(content)
            self.stderr.write(f"{output} geschrieben.")
        else:
            self.stdout.flush()
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
