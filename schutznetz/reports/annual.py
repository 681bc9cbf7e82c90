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
    """(label, Cell): the number that stands for a measure in the comparison, and what it is.

    A measure about a share or a time ("Anteil der Hochrisikofälle", "Zeit … bis zum
    Erstkontakt") is compared by that share or time, not by the number of cases below it;
    otherwise by its first table's total.
    """
    if not measure.available:
        return None
    for figure in measure.figures:
        if figure.kind in ("share", "statistic"):
            return str(figure.label), figure.cell
    if not measure.tables:
        return None
    if getattr(measure.tables[0], "plain", False):
        # Supply-side tables (offers, shelters) have no total: their first figure stands for them.
        return (str(measure.figures[0].label), measure.figures[0].cell) if measure.figures else None
    return f"{measure.tables[0].title}: {_('Summe')}", measure.tables[0].total


def _value(cell):
    """A published count as a number (Excel can compute with it, "1.234" would be text); anything
    hidden as its mark, shares and times as shown ("12,5 %", "3,0 Tage"), so they keep their unit."""
    if not cell.suppressed and isinstance(cell.value, int):
        return cell.value
    return cell.display


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
        label = now[0] if now else then[0] if then else ""
        now, then = now[1] if now else None, then[1] if then else None
        comparison.append(
            {
                "key": key,
                "title": str(REGISTRY[key].title),
                "compared": label,
                "current": now.display if now else _("nicht verfügbar"),
                "previous": then.display if then else missing_before,
                "current_value": now.value if now else None,
                "previous_value": then.value if then else None,
                "current_cell": _value(now) if now else _("nicht verfügbar"),
                "previous_cell": _value(then) if then else missing_before,
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
        "comparison": [
            {k: v for k, v in row.items() if not k.endswith("_cell")} for row in report["comparison"]
        ],
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
            yield [row.label, *[_value(c) for c in row.cells], _value(row.total)]
        yield [_("Summe"), *[_value(c) for c in table.column_totals], _value(table.total)]
    else:
        yield [table.row_heading or "", _("Anzahl")]
        for row in table.rows:
            yield [row.label, _value(row.cells[0])]
        yield [_("Summe"), _value(table.total)]


def render_xlsx(report) -> bytes:
    workbook = Workbook()
    bold = Font(bold=True)

    def sheet(title):
        ws = workbook.create_sheet(title=title[:31])
        # Wide enough for the labels, so nothing is cut off when the file is opened.
        ws.column_dimensions["A"].width = 50
        for column in "BCDE":
            ws.column_dimensions[column].width = 18
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
            measures.append([str(figure.label), _value(figure.cell)])
        measures.append([])

    comparison = sheet(SECTIONS["comparison"])
    comparison.append([_("Kennzahl"), _("Vergleichsgröße"), str(report["year"]), str(report["year"] - 1)])
    for row in report["comparison"]:
        comparison.append([row["title"], row["compared"], row["current_cell"], row["previous_cell"]])

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
