"""Rows of the case list, rendered in Python.

Fifty rows through Django's template engine (a node per cell, the date filter localising every
row) cost more than the queries behind them; plain string building produces the same markup for
a fraction of that, as the help finder's result cards do (``directory/cards.py``). Every value
is escaped with ``html.escape`` (quotes included, as Django's ``escape`` does).
"""

from html import escape

from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

CELL = '<td class="kern-table__cell">{}</td>'


def rows_html(cases, hide_names):
    """The ``<tr>``s of a page of cases from ``queries.with_list_details`` (safe HTML).

    ``_()`` stays outside f-strings so that makemessages finds every message.
    """
    if not cases:
        empty, columns = escape(_("Keine Fälle.")), 5 if hide_names else 6
        return mark_safe(  # noqa: S308
            f'<tr class="kern-table__row"><td class="kern-table__cell" colspan="{columns}">{empty}</td></tr>'
        )
    repeat = ' <span class="kern-badge kern-badge--warning">' + escape(_("Wiederholung")) + "</span>"
    not_shared = '<span class="kern-hint">' + escape(_("nicht freigegeben")) + "</span>"
    dates = {}  # a page of cases spans few days: localise each day once
    rows = []
    for case in cases:
        day = timezone.localtime(case.created_at).date()
        if day not in dates:
            dates[day] = escape(formats.date_format(day, "SHORT_DATE_FORMAT"))
        cells = [
            f'<a class="kern-link" href="{escape(case.detail_url)}">{escape(case.number)}</a>'
            + (repeat if case.is_repeat else "")
        ]
        if not hide_names:
            person = case.primary_person
            cells.append(escape(person.display_name) if person else not_shared)
        cells += [
            escape(case.category_label),
            escape(case.risk_label),
            escape(case.lead_organisation.name),
            dates[day],
        ]
        rows.append('<tr class="kern-table__row">' + "".join(CELL.format(c) for c in cells) + "</tr>")
    return mark_safe("".join(rows))  # noqa: S308
