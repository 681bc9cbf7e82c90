"""Every read for the statistics, scoped to the user, and published through disclosure control.

Who sees what:

- Koordination sees the county and any one organisation (``reports.view_all_statistics``).
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
    kind: str = ""


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
    """Positions where county minus own organisation is a small positive number.

    Rows are matched by label (the partner's collapsed organisation table has other rows than its
    own view), the totals by position; a table with other columns is not compared.
    """
    if own_table is None or own_table.columns != table.columns:
        return set()
    k = disclosure.min_cell()
    county, n_rows, n_cols = disclosure.extended_values(table)
    own, own_rows, _c = disclosure.extended_values(own_table)
    own_index = {str(label): i for i, label in enumerate(own_table.rows)}
    row_map = {i: own_index.get(str(label)) for i, label in enumerate(table.rows)}
    row_map[n_rows] = own_rows  # the totals
    found = set()
    for (i, j), value in county.items():
        own_i = row_map.get(i)
        own_value = own.get((own_i, j), 0) if own_i is not None else 0
        if 0 < value - own_value < k:
            found.add((i, j))
    return found


# --- linked views: the year and its quarters --------------------------------------------------
#
# A reader can look at the year and at each of its quarters. Protected one by one, the year's
# "6" minus the first quarter's "5" gives a hidden "<5" of the second quarter back. The year is
# protected on its own (it is what the annual report publishes); a quarter is then protected as
# one table with a column per quarter whose row totals are the year, with the year's pattern
# fixed: what the year shows is never hidden again, what it hides stays hidden. Every quarter view
# shows its column of that one table, so the year and all four quarters come from one pattern.

QUARTERS = (1, 2, 3, 4)


def _by_quarter(key, period, scope, result=None):
    """The measure's raw results for each quarter of the period's year (None if unavailable)."""
    results = []
    for quarter in QUARTERS:
        if result is not None and period.quarter == quarter:
            results.append(result)
            continue
        quarter_result = compute(key, Period(period.year, quarter), scope)
        if isinstance(quarter_result, Unavailable):
            return None
        results.append(quarter_result)
    return results


def _person_table(result, title):
    for table in getattr(result, "tables", ()):
        if isinstance(table, disclosure.Table) and str(table.title) == title:
            return table
    return None


def _joint_table(year_table, quarter_results):
    """Rows by label, a column per quarter; None when the rows cannot be matched or do not add up."""
    title = str(year_table.title)
    quarter_tables = [_person_table(r, title) for r in quarter_results]
    labels, seen = [], set()
    for candidate in [year_table, *[t for t in quarter_tables if t is not None]]:
        names = [str(label) for label in candidate.rows]
        if len(set(names)) != len(names) or candidate.two_dimensional:
            return None
        for label, name in zip(candidate.rows, names, strict=True):
            if name not in seen:
                seen.add(name)
                labels.append(label)
    by_quarter = [
        {} if t is None else dict(zip(map(str, t.rows), t.values, strict=True)) for t in quarter_tables
    ]
    values = [[quarter.get(str(label), 0) or 0 for quarter in by_quarter] for label in labels]
    year = dict(zip(map(str, year_table.rows), year_table.values, strict=True))
    if any((year.get(str(label), 0) or 0) != sum(row) for label, row in zip(labels, values, strict=True)):
        return None
    return disclosure.Table(
        title=year_table.title, rows=labels, values=values, columns=[f"Q{q}" for q in QUARTERS],
        row_heading=year_table.row_heading, definition=year_table.definition,
        counts_persons=year_table.counts_persons, shared_totals=year_table.shared_totals,
    )  # fmt: skip


def _slice(published, joint, table, quarter):
    """One quarter's view of the jointly protected table, as a one-dimensional table."""
    index = {str(label): i for i, label in enumerate(joint.rows)}
    rows = [
        disclosure.PublishedRow(label, [published.rows[index[str(label)]].cells[quarter - 1]])
        for label in table.rows
    ]
    total = published.column_totals[quarter - 1]
    suppressed = sum(row.cells[0].suppressed for row in rows) + total.suppressed
    return PublishedTable(
        title=table.title, rows=rows, columns=None, column_totals=[], total=total,
        row_heading=table.row_heading, definition=table.definition, min_cell=published.min_cell,
        suppressed_count=suppressed, withheld=published.withheld,
        notes=disclosure.table_notes(published.withheld, bool(suppressed), published.min_cell),
    )  # fmt: skip


def _withheld(table):
    hidden = disclosure.Cell(None, disclosure.SECONDARY_MARK, disclosure.SECONDARY)
    return PublishedTable(
        title=table.title, rows=[disclosure.PublishedRow(label, [hidden]) for label in table.rows],
        columns=None, column_totals=[], total=hidden, row_heading=table.row_heading,
        definition=table.definition, min_cell=disclosure.min_cell(), suppressed_count=len(table.rows) + 1,
        withheld=True, notes=disclosure.table_notes(True, True, disclosure.min_cell()),
    )  # fmt: skip


def _protect_alone(table, own_table):
    extra = _differencing_cells(table, own_table) if table.counts_persons else set()
    return disclosure.protect(table, extra_sensitive=extra)


def _protect(table, period, own_table, linked):
    """Protect one table; a quarter's table of persons jointly with its year (see above)."""
    if period.quarter is None or linked is None or not table.counts_persons or table.two_dimensional:
        return _protect_alone(table, own_table)
    year, quarters, own_year, own_quarters = linked
    title = str(table.title)
    year_table = _person_table(year, title)
    if year_table is None:
        return _protect_alone(table, own_table)  # no year to subtract from
    joint = _joint_table(year_table, quarters)
    if joint is None:
        # Quarters that do not add up to the year cannot be linked; shown on their own they
        # could give a cell the year hides back, so the quarter is withheld.
        return _withheld(table)
    own_year_table = _person_table(own_year, title) if own_year is not None else None
    year_published = _protect_alone(year_table, own_year_table)
    if year_published.withheld:
        return _withheld(table)
    own_joint = None
    if own_year_table is not None and own_quarters is not None:
        own_joint = _joint_table(own_year_table, own_quarters)
    extra = _differencing_cells(joint, own_joint)
    n_rows, n_cols = len(joint.rows), len(QUARTERS)
    year_cells = {str(row.label): row.cells[0] for row in year_published.rows}
    fixed = [((i, n_cols), year_cells.get(str(label))) for i, label in enumerate(joint.rows)]
    fixed.append(((n_rows, n_cols), year_published.total))
    extra |= {pos for pos, cell in fixed if cell is not None and cell.suppressed}
    locked = {pos for pos, cell in fixed if cell is None or not cell.suppressed}
    published = disclosure.protect(joint, extra_sensitive=extra, locked=locked)
    return _slice(published, joint, table, period.quarter)


def _linked(key, period, scope, result, own):
    """(year, quarters, own year, own quarters) for a quarter's view, or None if unavailable."""
    year = compute(key, Period(period.year), scope)
    quarters = _by_quarter(key, period, scope, result)
    if isinstance(year, Unavailable) or quarters is None:
        return None
    own_year = own_quarters = None
    if own is not None:
        own_scope = Scope(scope.viewer_organisation)
        own_year = compute(key, Period(period.year), own_scope)
        own_year = None if isinstance(own_year, Unavailable) else own_year
        own_quarters = _by_quarter(key, period, own_scope, own)
    return year, quarters, own_year, own_quarters


def _count_value(result, label):
    for figure in getattr(result, "figures", ()):
        if figure.kind == "count" and str(figure.label) == label:
            return figure.value or 0
    return None


def _count_figure_cells(result, period, own, linked):
    """Counts beside the tables ("Fälle mit Kindern"), protected like a table's cells: hidden where
    the county minus the viewer's own count is small, and over the quarters protected as a table
    whose total is the year (the year's own cell fixed as the year view shows it)."""
    k = disclosure.min_cell()
    hidden = Cell(None, disclosure.SECONDARY_MARK, disclosure.SECONDARY)
    cells = {}
    for index, figure in enumerate(result.figures):
        if figure.kind != "count":
            continue
        label, value = str(figure.label), figure.value or 0
        if period.quarter is None or linked is None:
            own_value = _count_value(own, label)
            if own_value is not None and 0 < value - own_value < k and not 0 < value < k:
                cells[index] = hidden
            continue
        year, quarters, own_year, own_quarters = linked
        values = [_count_value(r, label) for r in quarters]
        year_value = _count_value(year, label)
        if None in values or year_value != sum(values):
            cells[index] = hidden  # cannot be linked to its year: shown by neither rule
            continue
        own_year_value = _count_value(own_year, label)
        year_hidden = 0 < year_value < k or (
            own_year_value is not None and 0 < year_value - own_year_value < k
        )
        extra, total = set(), (len(QUARTERS), 0)
        own_values = [_count_value(r, label) for r in own_quarters] if own_quarters else None
        if own_values and None not in own_values:
            extra = {(q, 0) for q, (v, o) in enumerate(zip(values, own_values, strict=True)) if 0 < v - o < k}
        if year_hidden:
            extra.add(total)
        table = disclosure.Table(label, [f"Q{q}" for q in QUARTERS], values)
        published = disclosure.protect(table, extra_sensitive=extra, locked=set() if year_hidden else {total})
        cells[index] = published.rows[period.quarter - 1].cells[0]
    return cells


def _statistic_differencing(result, own):
    """A county median over just a few more cases than the viewer's own tells where those few lie:
    hidden when the county's base exceeds the viewer's own by 1 … k−1."""
    k = disclosure.min_cell()
    cells = {}
    for index, figure in enumerate(result.figures):
        if figure.kind != "statistic" or own is None:
            continue
        own_base = next(
            (f.base for f in own.figures if f.kind == "statistic" and str(f.label) == str(figure.label)), None
        )
        if own_base is not None and 0 < (figure.base or 0) - own_base < k:
            cells[index] = Cell(None, "–", disclosure.SECONDARY)
    return cells


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
    # Each chart needs its own title id on a page with several charts.
    return bar_chart_svg(table.title, bars, chart_id=f"chart-title-{index}")


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
    linked = None
    if period.quarter is not None and measure.historical:
        linked = _linked(key, period, scope, result, own)
    for index, table in enumerate(result.tables):
        if isinstance(table, disclosure.PlainTable):
            published.tables.append(table)
            published.charts.append("")
            continue
        own_table = _person_table(own, str(table.title)) if own else None
        protected = _protect(table, period, own_table, linked)
        published.tables.append(protected)
        if measure.chart:
            published.charts.append(chart(protected, f"{chart_prefix}{key}-{index}"))
    counts = _count_figure_cells(result, period, own, linked)
    counts.update(_statistic_differencing(result, own))
    published.figures = [
        PublishedFigure(f.label, counts[i] if i in counts else _figure_cell(f, published.tables), f.kind)
        for i, f in enumerate(result.figures)
    ]
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
