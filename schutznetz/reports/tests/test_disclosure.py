"""Disclosure control: examples with known answers and properties checked by brute force.

The attacker in these tests knows every published number (cells and all
margins), knows the rules (zeros are always published, "<k" means 1…k−1,
"x" means at least k) and solves the table's equations. A suppressed cell is
safe when at least two integer tables fit everything published and differ in
that cell. The oracle below enumerates such tables independently of the
cycle argument the module uses.
"""

import os

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from schutznetz.reports import disclosure
from schutznetz.reports.disclosure import PRIMARY, SECONDARY, Table, protect

K = 5


# --- brute-force oracle ----------------------------------------------------------


def _published_problem(table, published):
    """Variables (suppressed positions) with bounds and the line equations, from what is published."""
    values, n_rows, n_cols = disclosure.extended_values(table)
    two_d = table.two_dimensional
    cells = {}
    if two_d:
        for i, row in enumerate(published.rows):
            for j, c in enumerate(row.cells):
                cells[(i, j)] = c
            cells[(i, n_cols)] = row.total
        for j, c in enumerate(published.column_totals):
            cells[(n_rows, j)] = c
        cells[(n_rows, n_cols)] = published.total
    else:
        for i, row in enumerate(published.rows):
            cells[(i, 0)] = row.cells[0]
        cells[(n_rows, 0)] = published.total
    lines = disclosure._lines(n_rows, n_cols, two_d)
    cap = values[(n_rows, 0 if not two_d else n_cols)] + 2 * K
    domains = {}
    for pos, c in cells.items():
        if c.status == PRIMARY:
            domains[pos] = (1, K - 1)
        elif c.status == SECONDARY:
            domains[pos] = (K, cap)
    constants = {pos: c.value for pos, c in cells.items() if not c.suppressed}
    return values, lines, domains, constants


def _find_solution(lines, domains, constants, fixed, near):
    """Any assignment of the variables satisfying all lines, or None.

    Depth-first search with propagation (a line with one unknown left fixes
    it) and values tried nearest to ``near`` first, so a feasible neighbour
    of the true table is found fast; an infeasible query is searched fully.
    """
    assignment = {}

    def value_of(pos):
        return constants[pos] if pos in constants else assignment.get(pos)

    def consistent():
        for line in lines:
            total, low, high = 0, 0, 0
            for pos, sign in line:
                v = value_of(pos)
                if v is not None:
                    total += sign * v
                else:
                    lo, hi = domains[pos]
                    low += min(sign * lo, sign * hi)
                    high += max(sign * lo, sign * hi)
            if not total + low <= 0 <= total + high:
                return False
        return True

    def candidates(pos):
        lo, hi = domains[pos]
        allowed = fixed.get(pos)
        values = [v for v in range(lo, hi + 1) if allowed is None or allowed(v)]
        return sorted(values, key=lambda v: abs(v - near[pos]))

    def search():
        if not consistent():
            return False
        # propagate: a line with exactly one unknown fixes it
        for line in lines:
            unknown = [(pos, sign) for pos, sign in line if value_of(pos) is None]
            if len(unknown) == 1:
                pos, sign = unknown[0]
                rest = sum(sg * value_of(p) for p, sg in line if p != pos)
                value = -rest * sign
                lo, hi = domains[pos]
                allowed = fixed.get(pos)
                if not lo <= value <= hi or (allowed is not None and not allowed(value)):
                    return False
                assignment[pos] = value
                if search():
                    return True
                del assignment[pos]
                return False
        free = [pos for pos in domains if value_of(pos) is None]
        if not free:
            return True
        pos = min(free, key=lambda p: (p not in fixed, domains[p][1] - domains[p][0]))
        for value in candidates(pos):
            assignment[pos] = value
            if search():
                return True
            del assignment[pos]
        return False

    return dict(assignment) if search() else None


def assert_no_cell_recoverable(table, published):
    if published.withheld:
        assert all(r.cells[0].display == "x" for r in published.rows) and published.total.value is None
        return
    values, lines, domains, constants = _published_problem(table, published)
    near = {p: values[p] for p in domains}
    # The true table must fit what is published (sanity of the oracle).
    assert (
        _find_solution(lines, domains, constants, {p: (lambda v, t=values[p]: v == t) for p in domains}, near)
        is not None
    )
    for pos in domains:
        other = {pos: lambda v, t=values[pos]: v != t}
        found = _find_solution(lines, domains, constants, other, near)
        assert found is not None, (
            f"Zelle {pos} mit Wert {values[pos]} ist aus den veröffentlichten Zahlen ableitbar"
        )


def assert_published_correctly(table, published):
    if published.withheld:
        return
    values, n_rows, n_cols = disclosure.extended_values(table)
    cells = []
    if table.two_dimensional:
        for i, row in enumerate(published.rows):
            cells += [((i, j), c) for j, c in enumerate(row.cells)] + [((i, n_cols), row.total)]
        cells += [((n_rows, j), c) for j, c in enumerate(published.column_totals)]
        cells.append(((n_rows, n_cols), published.total))
    else:
        cells = [((i, 0), r.cells[0]) for i, r in enumerate(published.rows)] + [
            ((n_rows, 0), published.total)
        ]
    for pos, c in cells:
        true = values[pos]
        if 0 < true < K:
            assert c.status == PRIMARY and c.display == f"<{K}" and c.value is None
        elif true == 0:
            assert not c.suppressed and c.display == "0"
        elif c.suppressed:
            assert c.status == SECONDARY and c.display == "x" and c.value is None
        else:
            assert c.value == true


def assert_no_line_with_single_suppression(table, published):
    values, n_rows, n_cols = disclosure.extended_values(table)
    suppressed, _primary, _problem = disclosure.suppression_pattern(table, K)
    for line in disclosure._lines(n_rows, n_cols, table.two_dimensional):
        hidden = [pos for pos, _ in line if pos in suppressed]
        # Row total minus the published cells of that row leaves at least two unknowns.
        assert len(hidden) != 1


# --- examples with known answers -----------------------------------------------


def test_small_cell_shows_less_than_five_and_a_complement_is_suppressed():
    published = protect(Table("t", ["A", "B", "C"], [3, 12, 40]), k=K)
    assert [r.cells[0].display for r in published.rows] == ["<5", "x", "40"]
    assert published.total.display == "55"


def test_zeros_are_published_and_never_complements():
    published = protect(Table("t", ["A", "B", "C", "D"], [0, 2, 0, 9]), k=K)
    assert [r.cells[0].display for r in published.rows] == ["0", "<5", "0", "x"]
    assert published.total.value == 11


def test_pair_pinned_by_bounds_gets_a_third_suppression():
    # p + c = 6 with p <= 4 and c >= 5 would give p = 1: the audit must add another cell.
    published = protect(Table("t", ["A", "B", "C"], [1, 5, 20]), k=K)
    assert [r.cells[0].suppressed for r in published.rows] == [True, True, True]
    assert published.total.value == 26


def test_small_total_is_suppressed_too():
    published = protect(Table("t", ["A", "B"], [[1, 2], [30, 40]], columns=["x", "y"]), k=K)
    assert published.rows[0].total.display == "<5"
    assert_no_cell_recoverable(Table("t", ["A", "B"], [[1, 2], [30, 40]], columns=["x", "y"]), published)


def test_table_without_small_cells_is_unchanged():
    table = Table("t", ["A", "B"], [[10, 20], [30, 0]], columns=["x", "y"])
    published = protect(table, k=K)
    assert published.suppressed_count == 0
    assert [c.value for c in published.rows[0].cells] == [10, 20]
    assert published.rows[1].cells[1].display == "0"
    assert [c.value for c in published.column_totals] == [40, 20]
    assert published.total.value == 60


def test_two_by_two_block_of_ones_is_not_disclosed():
    table = Table("t", ["A", "B", "C"], [[1, 1, 9], [1, 1, 8], [7, 6, 30]], columns=["x", "y", "z"])
    published = protect(table, k=K)
    assert_no_cell_recoverable(table, published)


def test_minimum_cell_comes_from_settings(settings):
    settings.SCHUTZNETZ_DISCLOSURE_MIN_CELL = 10
    published = protect(Table("t", ["A", "B", "C"], [7, 12, 40]))
    assert published.rows[0].cells[0].display == "<10"
    settings.SCHUTZNETZ_DISCLOSURE_MIN_CELL = 2
    with pytest.raises(ValueError, match="mindestens 3"):
        protect(Table("t", ["A"], [1]))


def test_bad_counts_are_rejected_naming_the_row():
    with pytest.raises(ValueError, match="Zeile 2"):
        protect(Table("Fälle", ["A", "B"], [3, -1]), k=K)


def test_table_that_cannot_be_protected_is_withheld():
    published = protect(Table("t", ["A", "B", "C", "D"], [1, 1, 1, 1]), k=K)
    assert published.withheld
    assert {r.cells[0].display for r in published.rows} == {"x"}
    assert published.total.value is None
    assert "nicht gezeigt" in str(published.notes[0])


def test_percentages_need_a_base_of_ten_and_unsuppressed_parts():
    assert disclosure.percentage(3, 9).value is None
    assert disclosure.percentage(3, 10).display == "30,0 %"
    hidden = disclosure.Cell(None, "<5", PRIMARY)
    assert disclosure.percentage(hidden, 100).value is None
    assert disclosure.percentage(7, hidden).value is None


def test_statistics_need_ten_cases():
    assert disclosure.statistic(4.5, 9, "Tage").value is None
    assert disclosure.statistic(4.5, 10, "Tage").display == "4,5 Tage"


# --- properties -----------------------------------------------------------------

small_counts = st.one_of(st.integers(0, 4), st.integers(5, 14))
PROPERTY_SETTINGS = hsettings(
    max_examples=int(os.environ.get("DISCLOSURE_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(st.lists(small_counts, min_size=1, max_size=7))
def test_one_dimensional_tables_never_disclose(values):
    table = Table("t", [f"R{i}" for i in range(len(values))], values)
    published = protect(table, k=K)
    assert_published_correctly(table, published)
    assert_no_line_with_single_suppression(table, published)
    assert_no_cell_recoverable(table, published)


@st.composite
def matrices(draw):
    n_rows = draw(st.integers(1, 3))
    n_cols = draw(st.integers(1, 4))
    return [
        [draw(st.one_of(st.integers(0, 4), st.integers(5, 9))) for _ in range(n_cols)] for _ in range(n_rows)
    ]


@PROPERTY_SETTINGS
@given(matrices())
def test_two_dimensional_tables_never_disclose(values):
    table = Table(
        "t", [f"R{i}" for i in range(len(values))], values, columns=[f"S{j}" for j in range(len(values[0]))]
    )
    published = protect(table, k=K)
    assert_published_correctly(table, published)
    assert_no_line_with_single_suppression(table, published)
    assert_no_cell_recoverable(table, published)


def test_numbers_are_written_in_the_language_of_the_page():
    """English pages wrote 1.234 and 47,6 % (German separators), which reads as 1.234 and 47.6 in English."""
    from django.utils import translation

    from schutznetz.reports.disclosure import format_count, percentage, statistic

    with translation.override("de"):
        assert (format_count(1234), percentage(10, 21).display, statistic(3.44, 20).display) == (
            "1.234",
            "47,6 %",
            "3,4",
        )
    with translation.override("en"):
        assert (format_count(1234), percentage(10, 21).display, statistic(3.44, 20).display) == (
            "1,234",
            "47.6 %",
            "3.4",
        )
