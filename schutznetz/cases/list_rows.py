"""Rows of the case list, rendered in Python.

Fifty rows through Django's template engine (a node per cell, the date filter localising every
row) cost more than the queries behind them; plain string building produces the same markup for
a fraction of that, as the help finder's result cards do (``directory/cards.py``). Every value
is escaped with ``html.escape`` (quotes included, as Django's ``escape`` does).
"""

from html import escape

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from schutznetz.core.html_rows import short_dates, url_with_id

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
    short_date = short_dates()
    detail_url = url_with_id("cases:detail")
    rows = []
    for case in cases:
        cells = [
            f'<a class="kern-link" href="{escape(detail_url(case.pk))}">{escape(case.number)}</a>'
            + (repeat if case.is_repeat else "")
        ]
        if not hide_names:
            name = case.primary_name
            cells.append(escape(name) if name is not None else not_shared)
        cells += [
            escape(case.category_label),
            escape(case.risk_label),
            escape(case.lead_organisation.name),
            escape(short_date(timezone.localtime(case.created_at).date())),
        ]
        rows.append('<tr class="kern-table__row">' + "".join(CELL.format(c) for c in cells) + "</tr>")
    return mark_safe("".join(rows))  # noqa: S308
