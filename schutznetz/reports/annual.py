"""The network's annual report: one data structure, three renderings (JSON, XLSX, PDF).

Contents: introduction, every measure for the year with its chart and table,
the comparison with the previous year, the gaps in the support offered (from
the directory's gap analysis) and the events held. Everything goes through
disclosure control (:func:`schutznetz.reports.queries.publish`); the report
is county-wide and never breaks numbers down below an organisation.
"""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from schutznetz.core.exports import safe_cell
from schutznetz.reports.measures import REGISTRY, Period, Scope
from schutznetz.reports.queries import publish

SECTIONS = {
    "introduction": "Einleitung",
    "measures": "Kennzahlen",
    "comparison": "Vergleich mit dem Vorjahr",
    "gaps": "Lücken im Hilfeangebot",
    "events": "Veranstaltungen",
}
GAP_MEASURES = ("directory_coverage", "shelter_availability")


def _headline(measure):
    """The number that stands for a measure in the comparison: its first table's total (a Cell)."""
    if not measure.available or not measure.tables:
        return None
    if getattr(measure.tables[0], "plain", False):
        # Supply-side tables (offers, shelters) have no total: their first figure stands for them.
        return measure.figures[0].cell if measure.figures else None
    return measure.tables[0].total


def build(year, progress=None):
    """Compute the report for ``year``; ``progress(percent, step)`` is called along the way."""
    progress = progress or (lambda percent, step: None)
    period, previous = Period(year), Period(year - 1)
    scope = Scope()
    keys = list(REGISTRY)
    current, before = {}, {}
    total_steps = 2 * len(keys)
    for index, key in enumerate(keys):
        progress(int(90 * index / total_steps), str(REGISTRY[key].title))
        current[key] = publish(key, period, scope, chart_prefix=f"{year}-")
    for index, key in enumerate(keys):
        progress(
            int(90 * (len(keys) + index) / total_steps), _("Vorjahr: %(t)s") % {"t": REGISTRY[key].title}
        )
        before[key] = publish(key, previous, scope, chart_prefix=f"{year - 1}-")
    comparison = []
    for key in keys:
        now, then = _headline(current[key]), _headline(before[key])
        if not REGISTRY[key].historical:
            then = None
        missing_before = _("nicht verfügbar") if REGISTRY[key].historical else _("nur aktueller Stand")
        comparison.append(
            {
                "key": key,
                "title": str(REGISTRY[key].title),
                "current": now.display if now else _("nicht verfügbar"),
                "previous": then.display if then else missing_before,
                "current_value": now.value if now else None,
                "previous_value": then.value if then else None,
            }
        )
    events = current["event_participants"].items if current["event_participants"].available else []
    progress(95, _("Bericht wird gesetzt"))
    return {
        "year": year,
        "network": settings.SCHUTZNETZ_NETWORK_NAME,
        "generated_at": timezone.now(),
        "min_cell": current[keys[0]].tables[0].min_cell if current[keys[0]].tables else None,
        "introduction": _(
            "Dieser Bericht fasst die Arbeit des Netzwerks im Jahr %(year)s zusammen: wie viele Fälle "
            "in die Fallkonferenzen kamen, wie schnell Betroffene Hilfe erreichten, wie oft Fälle "
            "wiederkehrten, wo das Hilfeangebot Lücken hat und welche Veranstaltungen stattfanden "
            "(Art. 11 Istanbul-Konvention). Zahlen unter %(k)s werden als „<%(k)s“ gezeigt, weitere Werte "
            "sind mit „x“ zurückgehalten, damit keine Person erkennbar wird; Anteile und Mediane "
            "erscheinen erst ab einer Basis von 10 Fällen."
        )
        % {"year": year, "k": settings.SCHUTZNETZ_DISCLOSURE_MIN_CELL},
        "measures": [current[key] for key in keys],
        "comparison": comparison,
        "gaps": [current[key] for key in GAP_MEASURES if key in current],
        "events": events,
    }


def render_json(report) -> str:
    data = {
        "year": report["year"],
        "network": report["network"],
        "generated_at": report["generated_at"].isoformat(),
        "sections": list(SECTIONS.values()),
        "introduction": report["introduction"],
        "measures": [m.as_dict() for m in report["measures"]],
        "comparison": report["comparison"],
        "gaps": [m.as_dict() for m in report["gaps"]],
        "events": [
            {"title": e["title"], "date": timezone.localtime(e["date"]).date().isoformat()}
            for e in report["events"]
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def _table_rows(table):
    if getattr(table, "plain", False):
        yield [str(h) for h in table.header]
        for row in table.rows:
            yield [v if isinstance(v, int | float) else str(v) for v in row]
        return
    if table.two_dimensional:
        yield [table.row_heading, *table.columns, _("Summe")]
        for row in table.rows:
            yield [row.label, *[c.display for c in row.cells], row.total.display]
        yield [_("Summe"), *[c.display for c in table.column_totals], table.total.display]
    else:
        yield [table.row_heading or "", _("Anzahl")]
        for row in table.rows:
            yield [row.label, row.cells[0].display if row.cells[0].suppressed else row.cells[0].value]
        yield [_("Summe"), table.total.display if table.total.suppressed else table.total.value]


def render_xlsx(report) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title):
        ws = workbook.create_sheet(title=title[:31])
        return ws

    workbook.remove(workbook.active)
    intro = sheet(SECTIONS["introduction"])
    intro.append([f"{_('Jahresbericht')} {report['year']} – {report['network']}"])
    intro["A1"].font = bold
    intro.append([report["introduction"]])

    measures = sheet(SECTIONS["measures"])
    for measure in report["measures"]:
        measures.append([str(measure.title)])
        measures.cell(row=measures.max_row, column=1).font = bold
        measures.append([safe_cell(measure.definition)])
        if not measure.available:
            measures.append([_("nicht verfügbar")])
        for table in measure.tables:
            measures.append([str(table.title)])
            for row in _table_rows(table):
                measures.append([safe_cell(str(v) if not isinstance(v, int | float) else v) for v in row])
        for figure in measure.figures:
            measures.append(
                [str(figure.label), figure.cell.value if not figure.cell.suppressed else figure.cell.display]
            )
        measures.append([])

    comparison = sheet(SECTIONS["comparison"])
    comparison.append([_("Kennzahl"), str(report["year"]), str(report["year"] - 1)])
    for row in report["comparison"]:
        comparison.append([row["title"], row["current"], row["previous"]])

    gaps = sheet(SECTIONS["gaps"])
    for measure in report["gaps"]:
        gaps.append([str(measure.title)])
        if not measure.available:
            gaps.append([_("nicht verfügbar")])
        for table in measure.tables:
            for row in _table_rows(table):
                gaps.append([safe_cell(str(v) if not isinstance(v, int | float) else v) for v in row])

    events = sheet(SECTIONS["events"])
    events.append([_("Datum"), _("Veranstaltung")])
    for event in report["events"]:
        events.append([timezone.localtime(event["date"]).date(), safe_cell(event["title"])])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(report) -> bytes:
    from schutznetz.core.pdf import render_pdf as weasy

    return weasy("reports/pdf/annual_report.html", {"report": report, "sections": SECTIONS})


RENDERERS = {
    "json": (lambda report: render_json(report).encode("utf-8"), "application/json"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (render_pdf, "application/pdf"),
}


def render(report, fmt) -> bytes:
    if fmt not in RENDERERS:
        raise ValueError(_("Format: bitte pdf, xlsx oder json angeben."))
    return RENDERERS[fmt][0](report)


def content_type(fmt):
    return RENDERERS[fmt][1]


def filename(year, fmt):
    return f"jahresbericht-{year}.{fmt}"
