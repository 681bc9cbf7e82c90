"""Every read for the statistics, scoped to the user, and published through disclosure control.

Who sees what:

- Koordination (and Datenschutz) see the county and any one organisation.
- Every other staff member of a partner organisation sees the county totals
  and its own organisation. On county level, breakdowns by organisation show
  only its own row and "andere Organisationen"; and because the partner also
  sees its own numbers, a county cell is suppressed where "county minus own
  organisation" would be a small number (differencing protection).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import FieldError, PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.core.charts import Bar, bar_chart_svg
from schutznetz.reports import disclosure
from schutznetz.reports.disclosure import Cell, PublishedTable
from schutznetz.reports.measures import REGISTRY, Period, Result, Scope, Unavailable


@dataclass
class PublishedFigure:
    label: str
    cell: Cell


@dataclass
class PublishedMeasure:
    key: str
    title: str
    definition: str
    available: bool = True
    reason: str = ""
    tables: list[PublishedTable] = field(default_factory=list)
    figures: list[PublishedFigure] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    items: list = field(default_factory=list)

    def as_dict(self):
        return {
            "key": self.key,
            "title": str(self.title),
            "definition": self.definition,
            "available": self.available,
            "reason": str(self.reason),
            "tables": [t.as_dict() for t in self.tables],
            "figures": [
                {"label": str(f.label), "value": f.cell.value, "display": f.cell.display}
                for f in self.figures
            ],
            "items": [
                {"title": i["title"], "date": timezone.localtime(i["date"]).date().isoformat()}
                for i in self.items
            ],
        }


# --- who may see which scope ----------------------------------------------------------------


def sees_all(user):
    return user.has_perm("reports.view_all_statistics")


def scope_choices(user):
    """Organisations the user may pick as scope (besides the county)."""
    from schutznetz.accounts.models import Organisation

    if sees_all(user):
        return Organisation.objects.filter(is_active=True).order_by("name")
    return Organisation.objects.filter(pk=user.organisation_id)


def scope_for(user, organisation=None) -> Scope:
    """The scope a user asked for, or PermissionDenied when it is another partner's."""
    if not user.has_perm("reports.view_statistics"):
        raise PermissionDenied
    if organisation is None:
        return Scope(None, None if sees_all(user) else user.organisation)
    if not sees_all(user) and organisation.pk != user.organisation_id:
        raise PermissionDenied
    return Scope(organisation)


# --- computing and publishing ---------------------------------------------------------------


def compute(key, period: Period, scope: Scope) -> Result | Unavailable:
    measure = REGISTRY[key]
    try:
        # A savepoint, so a measure whose tables are missing does not break the transaction.
        with transaction.atomic():
            return measure.function(period, scope)
    except Unavailable as exc:
        return exc
    except (LookupError, ImportError, FieldError, DatabaseError) as exc:
        return Unavailable(str(exc))


def _differencing_cells(table, own_table):
    """Positions where county minus own organisation is a small positive number."""
    if own_table is None or own_table.rows != table.rows or own_table.columns != table.columns:
        return set()
    k = disclosure.min_cell()
    county, _r, _c = disclosure.extended_values(table)
    own, _r, _c = disclosure.extended_values(own_table)
    return {pos for pos, value in county.items() if 0 < value - own.get(pos, 0) < k}


def _figure_cell(figure, published_tables):
    k = disclosure.min_cell()
    if figure.kind == "text":
        return Cell(None, str(figure.value), disclosure.PUBLISHED)
    if figure.kind == "plain":
        return Cell(figure.value, disclosure.format_count(figure.value), disclosure.PUBLISHED)
    if figure.kind == "count":
        value = figure.value or 0
        if 0 < value < k:
            return Cell(None, f"<{k}", disclosure.PRIMARY)
        return Cell(value, disclosure.format_count(value), disclosure.PUBLISHED)
    if figure.kind == "share":
        # A share is shown only from a table with nothing suppressed: share × base or the
        # base itself could otherwise give a hidden cell back.
        if any(t.suppressed_count or t.withheld for t in published_tables[:1]):
            return Cell(None, disclosure.SECONDARY_MARK, disclosure.SECONDARY)
        return disclosure.percentage(figure.value, figure.base)
    if figure.kind == "statistic":
        return disclosure.statistic(figure.value, figure.base, figure.unit)
    if figure.kind == "total":
        # The table's own published total: protected exactly as shown in the table.
        return published_tables[figure.table].total
    raise ValueError(figure.kind)


def chart(table: PublishedTable, index):
    if table.two_dimensional:
        pairs = [(row.label, row.total) for row in table.rows]
    else:
        pairs = [(row.label, row.cells[0]) for row in table.rows]
    bars = [Bar(str(label), cell.value, "" if not cell.suppressed else cell.display) for label, cell in pairs]
    svg = bar_chart_svg(table.title, bars)
    # Each chart needs its own title id on a page with several charts.
    return svg.replace('"chart-title"', f'"chart-title-{index}"')


def publish(key, period: Period, scope: Scope, *, chart_prefix="") -> PublishedMeasure:
    measure = REGISTRY[key]
    result = compute(key, period, scope)
    published = PublishedMeasure(key, measure.title, measure.definition)
    if isinstance(result, Unavailable):
        published.available = False
        published.reason = _("nicht verfügbar")
        return published
    own = None
    if scope.viewer_organisation is not None and scope.organisation is None:
        own_result = compute(key, period, Scope(scope.viewer_organisation))
        own = None if isinstance(own_result, Unavailable) else own_result
    for index, table in enumerate(result.tables):
        if isinstance(table, disclosure.PlainTable):
            published.tables.append(table)
            published.charts.append("")
            continue
        own_table = own.tables[index] if own and index < len(own.tables) else None
        extra = _differencing_cells(table, own_table) if table.counts_persons else set()
        protected = disclosure.protect(table, extra_sensitive=extra)
        published.tables.append(protected)
        if measure.chart:
            published.charts.append(chart(protected, f"{chart_prefix}{key}-{index}"))
    published.figures = [PublishedFigure(f.label, _figure_cell(f, published.tables)) for f in result.figures]
    published.items = result.items
    return published


def statistics(user, period: Period, organisation=None, keys=None) -> list[PublishedMeasure]:
    """All measures for the dashboard, for what this user may see."""
    scope = scope_for(user, organisation)
    return [publish(key, period, scope) for key in (keys or REGISTRY)]


def report_numbers(period: Period, scope: Scope | None = None, keys=None):
    """The annual report's measures (county level unless a scope is given)."""
    scope = scope or Scope()
    return [publish(key, period, scope, chart_prefix=f"{period.year}-") for key in (keys or REGISTRY)]
