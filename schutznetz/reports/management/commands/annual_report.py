"""manage.py annual_report --year 2025 --format pdf|xlsx|json [--output FILE]"""

import os

from django.core.management.base import BaseCommand, CommandError

from schutznetz.core.progress import progress as progress_bar
from schutznetz.reports import annual


class Command(BaseCommand):
    help = "Erstellt den Jahresbericht des Netzwerks (PDF, XLSX oder JSON; JSON ohne --output auf stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Berichtsjahr, z. B. 2025")
        parser.add_argument("--format", dest="fmt", choices=["pdf", "xlsx", "json"], default="pdf")
        parser.add_argument("--output", help="Datei, in die der Bericht geschrieben wird")

    def handle(self, *args, year, fmt, output, **options):
        if not 1990 <= year <= 2999:
            raise CommandError("--year: bitte ein Jahr zwischen 1990 und 2999 angeben.")
        if output is None and fmt != "json":
            raise CommandError(
                "--output: PDF und XLSX brauchen eine Ausgabedatei (nur JSON geht auf stdout)."
            )
        if output is not None:
            # Checked before the work, not after minutes of computing.
            folder = os.path.dirname(os.path.abspath(output))
            if os.path.isdir(output) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
                raise CommandError(
                    f"--output: in {output} kann nicht geschrieben werden "
                    "(gibt es das Verzeichnis, und darf der Dienst dort schreiben?)."
                )
        bar = progress_bar(total=100, description=f"Jahresbericht {year}", disable=output is None)
        bar.bar_format = "{desc}: {percentage:3.0f} %|{bar}| {elapsed}{postfix}"  # percent, not records
        state = {"last": 0}

        def step(percent, text):
            bar.set_postfix_str(str(text)[:40])
            bar.update(max(0, percent - state["last"]))
            state["last"] = max(state["last"], percent)

        report = annual.build(year, progress=step)
        content = annual.render(report, fmt)
        bar.update(100 - state["last"])
        bar.close()
        if output is None:
            self.stdout.write(content.decode("utf-8"))
            return
        try:
            with open(output, "wb") as handle:
                handle.write(content)
        except OSError as exc:
            raise CommandError(
                f"--output: {output} konnte nicht geschrieben werden ({exc.strerror})."
            ) from exc
        self.stderr.write(f"Jahresbericht {year} geschrieben: {output}")
