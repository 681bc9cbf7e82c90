"""Statistical disclosure control: the one door every published number goes through.

In a county of 307,000 people, "two cases of sexual violence involving a Kita
in Rüthen" can name a family. So no table, chart, export or report shows a
count the way the database holds it: it goes through :func:`protect` first.

Rules (``settings.SCHUTZNETZ_DISCLOSURE_MIN_CELL``, *k*, default 5):

1. **Primary suppression.** A count with ``0 < value < k`` is shown as ``"<5"``.
   Totals (row, column, grand total) are cells like any other: a municipality
   with 3 cases in total shows ``"<5"`` as its total.
2. **Zeros are published.** A zero names nobody, and hiding zeros would hide
   exactly what the network needs to see (no place, no offer, no case). Zeros
   are never suppressed and never used as complementary suppressions. The
   consequence — a reader knows that every suppressed cell is at least 1 — is
   part of the attacker model below, not ignored.
3. **Secondary suppression.** A suppressed cell must not be computable from the
   published cells and margins. Each line of the table (a row with its row
   total, a column with its column total, the totals with the grand total) is
   an equation. We suppress complementary cells until

   a. no line has exactly one suppressed cell (the classic rule: suppress the
      next-smallest non-zero cell of that line), and
   b. an exact audit finds no suppressed cell whose value is pinned down by the
      equations together with everything a reader knows about the values:
      a ``"<5"`` cell lies in ``1 … k−1``, a cell shown as ``"x"``
      (complementary suppression, so not below *k*) is at least *k*.
      Rule (a) alone is not enough: row ``[1, 5, 20 | 26]`` with the 1 and the
      5 suppressed leaves ``p + c = 6`` with ``p ≤ 4`` and ``c ≥ 5`` — only
      ``p = 1`` fits. The audit catches that and suppresses one more cell.

   Iterated to a fixed point. The audit is exact for one- and two-dimensional
   tables with all margins published: a difference between two tables that
   agree on every published number has zero row and column sums, i.e. it is a
   circulation on the bipartite graph of rows and columns, and it decomposes
   into simple alternating cycles that each stay within the bounds (conformal
   decomposition). So a suppressed cell can take another value exactly when
   it lies on an alternating cycle of suppressed cells along which every
   increased cell may grow by one and every decreased cell may shrink by one.
   The property tests check this against a brute-force enumeration.
4. **Percentages** are shown only over a base of at least
   ``SCHUTZNETZ_DISCLOSURE_MIN_BASE`` (default 10) and only when neither the
   numerator nor the base is suppressed (else ``percentage × base`` would give
   the hidden count back). The same minimum applies to medians and
   percentiles: a median over three cases is one person's waiting time.

Linked tables: a one-dimensional table that equals a margin of a published
two-dimensional table must be published *as* that margin (one table), not
separately, or the two suppression patterns could be combined. The measure
registry follows this; :func:`protect` takes ``extra_sensitive`` cells for
differencing protection (e.g. a county cell where the county minus the
viewer's own organisation would be a small number). Tables whose totals other
tables of the same view repeat (``shared_totals``: every table of the cases
created in a period ends in the number of cases) never hide those totals as a
complement, so a total has the same status in each of them. The year and its
quarters are linked in :mod:`schutznetz.reports.queries` (one pattern for all
five views).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

PUBLISHED = "published"
PRIMARY = "primary"
SECONDARY = "secondary"

SECONDARY_MARK = "x"


def min_cell():
    value = int(getattr(settings, "SCHUTZNETZ_DISCLOSURE_MIN_CELL", 5))
    if value < 3:
        # With k = 2 "<2" would mean exactly 1: the label itself would disclose.
        raise ValueError("SCHUTZNETZ_DISCLOSURE_MIN_CELL muss mindestens 3 sein.")
    return value


def min_base():
    return int(getattr(settings, "SCHUTZNETZ_DISCLOSURE_MIN_BASE", 10))


@dataclass(frozen=True)
class Cell:
    """One published number. ``value`` is None when it may not be shown."""

    value: int | float | None
    display: str
    status: str = PUBLISHED

    @property
    def suppressed(self):
        return self.status != PUBLISHED

    def __str__(self):
        return self.display


@dataclass
class Table:
    """Raw counts before disclosure control.

    ``columns is None`` makes a one-dimensional table (``values`` is a list of
    counts, one per row, and the grand total is their sum). Otherwise
    ``values[i][j]`` is the count of row i and column j; row totals, column
    totals and the grand total are computed here (never taken from the
    caller), so a margin always agrees with its cells.
    """

    title: str
    rows: list
    values: list
    columns: list | None = None
    row_heading: str = ""
    column_heading: str = ""
    unit: str = ""
    definition: str = ""
    # False for counts of things, not people (conferences held, events): the
    # table still passes through protect() but no cell is suppressed.
    counts_persons: bool = True
    # True when other tables of the same view repeat this table's totals (every table of the
    # cases created in the period ends in the same number of cases). Such totals are never
    # complementary suppressions: hidden here but shown there, they would give the hidden cells
    # back. A total is then hidden only for a reason every table shares (below k, differencing).
    shared_totals: bool = False

    @property
    def two_dimensional(self):
        return self.columns is not None


@dataclass
class PublishedRow:
    label: str
    cells: list
    total: Cell | None = None


@dataclass
class PublishedTable:
    """What may be shown: every number is a :class:`Cell`."""

    title: str
    rows: list
    columns: list | None
    column_totals: list
    total: Cell
    row_heading: str = ""
    column_heading: str = ""
    definition: str = ""
    min_cell: int = 5
    suppressed_count: int = 0
    withheld: bool = False
    notes: list = field(default_factory=list)

    @property
    def two_dimensional(self):
        return self.columns is not None

    def as_dict(self):
        def cell(c):
            return c.value if not c.suppressed else c.display

        data = {
            "title": str(self.title),
            "definition": str(self.definition),
            "row_heading": str(self.row_heading),
            "rows": [],
            "total": cell(self.total),
        }
        if self.two_dimensional:
            data["column_heading"] = str(self.column_heading)
            data["columns"] = [str(c) for c in self.columns]
            data["column_totals"] = [cell(c) for c in self.column_totals]
            data["rows"] = [
                {"label": str(r.label), "cells": [cell(c) for c in r.cells], "total": cell(r.total)}
                for r in self.rows
            ]
        else:
            data["rows"] = [{"label": str(r.label), "value": cell(r.cells[0])} for r in self.rows]
        return data


@dataclass
class PlainTable:
    """A table of numbers that are not counts of people: offers, places, standards, days.

    It still passes through this module so every table has one shape for
    templates and exports, but nothing in it is suppressed. Use it only for
    numbers that cannot describe a person (the supply side of the network).
    """

    title: str
    header: list
    rows: list
    definition: str = ""
    plain: bool = True
    two_dimensional: bool = False
    suppressed_count: int = 0
    withheld: bool = False
    notes: list = field(default_factory=list)

    def as_dict(self):
        return {
            "title": str(self.title),
            "header": [str(h) for h in self.header],
            "rows": [[v if isinstance(v, int | float) else str(v) for v in row] for row in self.rows],
        }


# --- the algorithm, on an "extended matrix" -------------------------------------
#
# A 2-D table with R rows and C columns becomes an (R+1) × (C+1) matrix whose
# last column holds the row totals and last row the column totals (grand
# total in the corner). With the totals negated every line of that matrix sums
# to zero, so cells and totals are treated alike. A 1-D table is one line.


def _lines(n_rows, n_cols, two_dimensional):
    """Each line: a list of (position, sign) with Σ sign·value = 0."""
    if not two_dimensional:
        return [[((i, 0), 1) for i in range(n_rows)] + [((n_rows, 0), -1)]]
    lines = []
    for i in range(n_rows + 1):
        sign = 1 if i < n_rows else -1
        lines.append([((i, j), sign) for j in range(n_cols)] + [((i, n_cols), -sign)])
    for j in range(n_cols + 1):
        sign = 1 if j < n_cols else -1
        lines.append([((i, j), sign) for i in range(n_rows)] + [((n_rows, j), -sign)])
    return lines


def _is_margin(pos, n_rows, n_cols, two_dimensional):
    i, j = pos
    return i == n_rows or (two_dimensional and j == n_cols)


class _Problem:
    def __init__(self, values, n_rows, n_cols, two_dimensional, k, locked=()):
        self.values = values  # {(i, j): non-negative int}, totals as positive numbers
        self.n_rows, self.n_cols, self.two_d = n_rows, n_cols, two_dimensional
        self.k = k
        self.lines = _lines(n_rows, n_cols, two_dimensional)
        self.lines_of = {}
        for index, line in enumerate(self.lines):
            for pos, _sign in line:
                self.lines_of.setdefault(pos, []).append(index)
        self.primary = {pos for pos, v in values.items() if 0 < v < k}
        self.suppressed = set(self.primary)
        self.locked = set(locked)  # never chosen as a complementary suppression
        self.withheld = False

    # What a reader knows about a suppressed value.
    def bounds(self, pos):
        if pos in self.primary:
            return 1, self.k - 1
        return self.k, None

    def sign(self, pos):
        """Sign of the position in the extended matrix (totals negated, grand total positive)."""
        i, j = pos
        if not self.two_d:
            return -1 if i == self.n_rows else 1
        row_margin, col_margin = i == self.n_rows, j == self.n_cols
        return -1 if row_margin != col_margin else 1

    def can_move(self, pos, direction):
        """Can the matrix entry at pos move by ``direction`` (±1) within the reader's bounds?"""
        value = self.values[pos]
        low, high = self.bounds(pos)
        new = value + direction * self.sign(pos)
        return new >= low and (high is None or new <= high)

    def determined(self, pos):
        """True if the published numbers pin down the value at ``pos``."""
        if self.two_d:
            return not any(self._cycle(pos, d) for d in (1, -1) if self.can_move(pos, d))
        # One line (every matrix entry has coefficient +1): another suppressed
        # entry must move the other way; pairwise moves suffice for one equation.
        for direction in (1, -1):
            if not self.can_move(pos, direction):
                continue
            for other, _s in self.lines[0]:
                if other != pos and other in self.suppressed and self.can_move(other, -direction):
                    return False
        return True

    def _cycle(self, pos, direction):
        """Is there an alternating cycle through pos that moves it by ``direction``?

        Bipartite residual graph: row node r_i, column node c_j. A suppressed
        entry (i, j) that may increase gives r_i → c_j, one that may decrease
        gives c_j → r_i. Moving pos up needs a path c_j ⇝ r_i without pos.
        """
        i, j = pos
        start, goal = (("c", j), ("r", i)) if direction == 1 else (("r", i), ("c", j))
        adjacency = {}
        for other in self.suppressed:
            if other == pos:
                continue
            oi, oj = other
            if self.can_move(other, 1):
                adjacency.setdefault(("r", oi), []).append(("c", oj))
            if self.can_move(other, -1):
                adjacency.setdefault(("c", oj), []).append(("r", oi))
        seen = {start}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                return True
            for nxt in adjacency.get(node, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        return False

    def candidates(self, line_indexes=None):
        """Non-zero published entries, smallest first (cells before margins)."""
        indexes = range(len(self.lines)) if line_indexes is None else line_indexes
        found = set()
        for index in indexes:
            for pos, _sign in self.lines[index]:
                if pos not in self.suppressed and pos not in self.locked and self.values[pos] != 0:
                    found.add(pos)
        margin = lambda pos: _is_margin(pos, self.n_rows, self.n_cols, self.two_d)  # noqa: E731
        return sorted(found, key=lambda pos: (margin(pos), self.values[pos], pos))

    def repair(self, pos):
        """Suppress one more entry so that ``pos`` is no longer determined (smallest that helps)."""
        own = self.candidates(self.lines_of[pos])
        for candidate in own + [c for c in self.candidates() if c not in own]:
            self.suppressed.add(candidate)
            if not self.determined(pos):
                return True
            self.suppressed.discard(candidate)
        # No single entry helps: widen with the smallest entry of its lines (or anywhere) and go on.
        fallback = own or self.candidates()
        if fallback:
            self.suppressed.add(fallback[0])
            return True
        return False

    def solve(self):
        while True:
            added = False
            # (a) no line with exactly one suppressed entry
            for index, line in enumerate(self.lines):
                hidden = [pos for pos, _s in line if pos in self.suppressed]
                if len(hidden) == 1:
                    extra = self.candidates([index])
                    if extra:
                        self.suppressed.add(extra[0])
                        added = True
            if added:
                continue
            # (b) exact audit
            for pos in sorted(self.suppressed):
                if self.determined(pos) and self.repair(pos):
                    added = True
                    break
            if not added:
                # Some tables cannot be protected by suppression at all: [1, 1, 1, 1] with
                # its total 4 (everything "<5", yet 4 cells of at least 1 summing to at
                # most 4 can only be ones). Such a table is withheld as a whole.
                self.withheld = any(self.determined(pos) for pos in self.suppressed)
                return self.suppressed


def suppression_pattern(table: Table, k=None, extra_sensitive=(), locked=()):
    """The set of suppressed positions in the extended matrix, and the primary ones.

    Positions: (i, j) for cells, (i, C) row totals, (R, j) column totals,
    (R, C) the grand total; a 1-D table uses (i, 0) and (R, 0) for the total.
    """
    k = k or min_cell()
    values, n_rows, n_cols = extended_values(table)
    locked = set(locked)
    if table.shared_totals:
        locked |= {(n_rows, j) for j in range(n_cols + (1 if table.two_dimensional else 0))}
    problem = _Problem(values, n_rows, n_cols, table.two_dimensional, k, locked)
    if not table.counts_persons:
        problem.primary, problem.suppressed = set(), set()
        return problem.suppressed, problem.primary, problem
    for pos in extra_sensitive:
        if values.get(pos):
            problem.suppressed.add(pos)
    problem.solve()
    return problem.suppressed, problem.primary, problem


def extended_values(table: Table):
    n_rows = len(table.rows)
    values = {}
    if not table.two_dimensional:
        counts = [_count(v, table, i) for i, v in enumerate(table.values)]
        for i, v in enumerate(counts):
            values[(i, 0)] = v
        values[(n_rows, 0)] = sum(counts)
        return values, n_rows, 1
    n_cols = len(table.columns)
    if len(table.values) != n_rows or any(len(row) != n_cols for row in table.values):
        raise ValueError(f"Tabelle „{table.title}“: Zeilen und Spalten passen nicht zu den Werten.")
    for i, row in enumerate(table.values):
        for j, v in enumerate(row):
            values[(i, j)] = _count(v, table, i)
        values[(i, n_cols)] = sum(values[(i, j)] for j in range(n_cols))
    for j in range(n_cols):
        values[(n_rows, j)] = sum(values[(i, j)] for i in range(n_rows))
    values[(n_rows, n_cols)] = sum(values[(n_rows, j)] for j in range(n_cols))
    return values, n_rows, n_cols


def _count(value, table, row):
    if value is None:
        value = 0
    if int(value) != value or value < 0:
        raise ValueError(f"Tabelle „{table.title}“, Zeile {row + 1}: {value!r} ist keine Anzahl.")
    return int(value)


def _cell(value, status, k):
    if status == PRIMARY:
        return Cell(None, f"<{k}", PRIMARY)
    if status == SECONDARY:
        return Cell(None, SECONDARY_MARK, SECONDARY)
    return Cell(value, format_count(value), PUBLISHED)


def _number(value, digits=None):
    # In the language of the page or report being made: 1.234 and 47,6 in German, 1,234 and 47.6 in English.
    return number_format(value, decimal_pos=digits, use_l10n=True, force_grouping=True)


def format_count(value):
    return _number(value)


def protect(table: Table, k=None, extra_sensitive=(), locked=()) -> PublishedTable:
    """Apply primary and secondary suppression; return only what may be shown.

    ``extra_sensitive``: positions to hide as well (differencing protection, a pattern fixed by
    another view); ``locked``: positions another view already shows, never chosen as complements.
    """
    k = k or min_cell()
    suppressed, primary, problem = suppression_pattern(table, k, extra_sensitive, locked)
    values = problem.values
    n_rows, n_cols = problem.n_rows, problem.n_cols

    def cell(pos):
        if problem.withheld:
            return Cell(None, SECONDARY_MARK, SECONDARY)
        status = PRIMARY if pos in primary else SECONDARY if pos in suppressed else PUBLISHED
        return _cell(values[pos], status, k)

    if table.two_dimensional:
        rows = [
            PublishedRow(label, [cell((i, j)) for j in range(n_cols)], cell((i, n_cols)))
            for i, label in enumerate(table.rows)
        ]
        column_totals = [cell((n_rows, j)) for j in range(n_cols)]
        total = cell((n_rows, n_cols))
    else:
        rows = [PublishedRow(label, [cell((i, 0))]) for i, label in enumerate(table.rows)]
        column_totals = []
        total = cell((n_rows, 0))
    notes = table_notes(problem.withheld, bool(suppressed), k)
    return PublishedTable(
        title=table.title,
        rows=rows,
        columns=list(table.columns) if table.two_dimensional else None,
        column_totals=column_totals,
        total=total,
        row_heading=table.row_heading,
        column_heading=table.column_heading,
        definition=table.definition,
        min_cell=k,
        suppressed_count=len(values) if problem.withheld else len(suppressed),
        withheld=problem.withheld,
        notes=notes,
    )


def table_notes(withheld, any_suppressed, k):
    if withheld:
        return [_("Zu wenige Fälle: die Tabelle wird zum Schutz einzelner Personen nicht gezeigt.")]
    if any_suppressed:
        return [
            _("„<%(k)s“: weniger als %(k)s Fälle; „x“: zum Schutz einzelner Personen nicht ausgewiesen.")
            % {"k": k}
        ]
    return []


def percentage(numerator: Cell | int | None, base: Cell | int | None, digits=1):
    """A share in percent, or a hidden Cell when the base is too small or a part is suppressed."""
    num = numerator.value if isinstance(numerator, Cell) else numerator
    den = base.value if isinstance(base, Cell) else base
    if isinstance(numerator, Cell) and numerator.suppressed:
        return Cell(None, SECONDARY_MARK, SECONDARY)
    if isinstance(base, Cell) and base.suppressed:
        return Cell(None, SECONDARY_MARK, SECONDARY)
    if den is None or num is None or den < min_base():
        return Cell(None, "–", SECONDARY)
    share = round(100.0 * num / den, digits) if den else 0.0
    return Cell(share, f"{_number(share, digits)} %", PUBLISHED)


def statistic(value, n, unit="", digits=1):
    """A median, percentile or mean over ``n`` cases; hidden when n is below the minimum base."""
    if value is None or n is None or n < min_base():
        return Cell(None, "–", SECONDARY)
    value = round(float(value), digits)
    text = _number(value, digits)
    return Cell(value, f"{text} {unit}".strip(), PUBLISHED)
