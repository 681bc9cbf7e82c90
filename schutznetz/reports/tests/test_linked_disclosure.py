"""Disclosure control across views: a number hidden in one view must not follow from the others.

A reader can switch between the year and its quarters, and every case table of a view repeats
the same total. Subtracting published numbers of one view from another must not give back a
suppressed cell.
"""

import pytest

from schutznetz.accounts.models import Role
from schutznetz.reports import disclosure, queries
from schutznetz.reports.measures import Period, Scope
from schutznetz.testing.factories import make_user

from .conftest import at, make_case

pytestmark = pytest.mark.django_db


def _cells(measure_table):
    return {str(row.label): row.cells[0] for row in measure_table.rows}


def _recoverable_from_quarters(year_table, quarter_tables):
    """Rows whose one suppressed quarter follows from the year's and the other quarters' numbers."""
    found = []
    year = _cells(year_table)
    quarters = [_cells(t) for t in quarter_tables]
    for label, cell in year.items():
        if cell.suppressed:
            continue
        hidden = [q for q in quarters if label in q and q[label].suppressed]
        if len(hidden) == 1:
            found.append(label)
    year_total = year_table.total
    hidden_totals = [t.total for t in quarter_tables if t.total.suppressed]
    if not year_total.suppressed and len(hidden_totals) == 1:
        found.append("Summe")
    return found


def test_a_quarter_cannot_be_worked_out_from_the_year_and_the_other_quarters(orgs):
    a, _b = orgs
    for _ in range(20):
        make_case(a, at(2025, 2, 1), category="haeusliche_gewalt")
        make_case(a, at(2025, 5, 1), category="haeusliche_gewalt")
    for _ in range(5):
        make_case(a, at(2025, 2, 2), category="stalking")
    make_case(a, at(2025, 5, 2), category="stalking")  # one stalking case in Q2: "<5"
    scope = Scope()
    for key in ("cases_by_category", "cases_by_month", "cases_by_municipality", "repeat_rate"):
        year = queries.publish(key, Period(2025), scope).tables[0]
        quarters = [queries.publish(key, Period(2025, q), scope).tables[0] for q in (1, 2, 3, 4)]
        assert _recoverable_from_quarters(year, quarters) == [], key
    q2 = queries.publish("cases_by_category", Period(2025, 2), scope).tables[0]
    # year 6 shown, Q1 at least 5: the Q2 case cannot be protected inside the quarter, which is
    # withheld ("x" throughout) rather than shown
    assert _cells(q2)["Stalking"].display == "x" and q2.withheld


def test_the_same_total_has_the_same_status_in_every_case_table(orgs):
    """[1, 5 | 6] by category hides its total; the month table must not publish the 6."""
    a, _b = orgs
    make_case(a, at(2025, 3, 1), category="haeusliche_gewalt")
    for _ in range(5):
        make_case(a, at(2025, 3, 2), category="stalking")
    scope = Scope()
    for period in (Period(2025), Period(2025, 1)):
        tables = {
            key: queries.publish(key, period, scope).tables[0]
            for key in (
                "cases_by_category", "cases_by_month", "cases_by_organisation",
                "cases_by_municipality", "high_risk_share", "repeat_rate",
            )
        }  # fmt: skip
        # a withheld table hides everything (zeros too); every other table shows the total alike
        statuses = {key: t.total.suppressed for key, t in tables.items() if not t.withheld}
        assert len(set(statuses.values())) <= 1, (period, statuses)
        category = queries.publish("cases_by_category", period, scope).tables[0]
        # and the small cell itself stays hidden
        assert _cells(category)["Häusliche Gewalt"].display in ("<5", "x")
        if not category.total.suppressed:
            # published total: then the table alone must protect the "<5" (withheld or a second "x")
            assert category.withheld or sum(c.suppressed for c in _cells(category).values()) >= 2


def test_partner_cannot_subtract_its_own_total_from_the_county_organisation_table(orgs):
    a, b = orgs
    for _ in range(10):
        make_case(a, at(2025, 3, 1), category="stalking")
    for _ in range(2):
        make_case(b, at(2025, 3, 1), category="stalking")
    partner = make_user(organisation=a, roles=[Role.FACHKRAFT])
    county = queries.statistics(partner, Period(2025), keys=["cases_by_organisation"])[0].tables[0]
    own = queries.statistics(partner, Period(2025), a, keys=["cases_by_category"])[0].tables[0]
    assert not own.total.suppressed and own.total.value == 10
    # county total − own total = the other organisations' 2 cases: the county total may not be shown
    assert county.total.suppressed
    assert _cells(county)["andere Organisationen"].display in ("<5", "x")


def test_cases_with_children_cannot_be_worked_out_from_the_quarters(orgs):
    a, _b = orgs
    for _ in range(5):
        make_case(a, at(2025, 2, 1), children_count=1)
    make_case(a, at(2025, 5, 1), children_count=1)
    scope = Scope()

    def with_children(period):
        measure = queries.publish("children_affected", period, scope)
        return next(f.cell for f in measure.figures if str(f.label) == "Fälle mit Kindern")

    year = with_children(Period(2025))
    quarters = [with_children(Period(2025, q)) for q in (1, 2, 3, 4)]
    hidden = [c for c in quarters if c.suppressed]
    assert hidden, "Q2 has one case with children"
    assert year.suppressed or len(hidden) >= 2 or all(c.display == "x" for c in quarters)


def test_partner_cannot_subtract_its_own_cases_with_children_from_the_county(orgs):
    a, b = orgs
    for _ in range(6):
        make_case(a, at(2025, 3, 1), children_count=2)
    make_case(b, at(2025, 3, 1), children_count=1)
    partner = make_user(organisation=a, roles=[Role.FACHKRAFT])
    for period in (Period(2025), Period(2025, 1)):

        def with_children(organisation=None, period=period):
            measure = queries.statistics(partner, period, organisation, keys=["children_affected"])[0]
            return next(f.cell for f in measure.figures if str(f.label) == "Fälle mit Kindern")

        assert with_children(a).display == "6"  # its own number
        assert with_children().suppressed  # the county's 7 would tell: one case elsewhere


def test_partner_county_median_is_hidden_when_only_a_few_referrals_are_not_its_own(orgs):
    import datetime as dt

    from schutznetz.cases.models import Referral

    a, b = orgs
    case = make_case(a, at(2025, 1, 2))
    start = at(2025, 3, 1, 8)
    for days in (*range(1, 11), 40):  # ten referrals to a, one (40 days) to b
        Referral.objects.create(
            case=case, from_organisation=b, to_organisation=a if days < 40 else b, referred_at=start,
            first_contact_at=start + dt.timedelta(days=days),
        )  # fmt: skip
    partner = make_user(organisation=a, roles=[Role.FACHKRAFT])

    def median(organisation=None):
        measure = queries.statistics(partner, Period(2025), organisation, keys=["time_to_first_contact"])[0]
        return next(f.cell for f in measure.figures if str(f.label) == "Median bis zum Erstkontakt")

    assert median(a).display == "5,5 Tage"
    assert median().display == "–"  # 6 days over 11 would tell that the one other referral took longer
    koordination = make_user(roles=[Role.KOORDINATION])
    measure = queries.statistics(koordination, Period(2025), keys=["time_to_first_contact"])[0]
    assert (
        next(f.cell for f in measure.figures if str(f.label) == "Median bis zum Erstkontakt").display
        == "6,0 Tage"
    )


def test_shared_totals_are_never_complementary_suppressions():
    table = disclosure.Table("t", ["a", "b"], [1, 5], shared_totals=True)
    published = disclosure.protect(table)
    # the total 6 may not be hidden (other tables show it): the table is withheld instead
    assert published.withheld
    assert published.total.display == "x"
    assert [r.cells[0].display for r in published.rows] == ["x", "x"]


# --- property: the year and its four quarters together never give a hidden cell back --------------

from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from schutznetz.reports.measures import Result  # noqa: E402

from .test_disclosure import K, assert_no_cell_recoverable  # noqa: E402


@st.composite
def quarter_matrices(draw):
    n_rows = draw(st.integers(1, 3))
    return [
        [draw(st.one_of(st.integers(0, 4), st.integers(5, 9))) for _q in range(4)] for _r in range(n_rows)
    ]


@pytest.mark.django_db(False)
@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quarter_matrices())
def test_year_and_quarter_views_together_never_disclose(values):
    labels = [f"R{i}" for i in range(len(values))]

    def table(counts):
        return disclosure.Table("T", labels, counts, shared_totals=True)

    year_table = table([sum(row) for row in values])
    quarter_results = [Result([table([row[q] for row in values])]) for q in range(4)]
    linked = (Result([year_table]), quarter_results, None, None)
    year = queries._protect(year_table, Period(2025), None, None)
    quarters = [
        queries._protect(quarter_results[q].tables[0], Period(2025, q + 1), None, linked) for q in range(4)
    ]
    if any(q.withheld for q in quarters):
        assert all(q.withheld for q in quarters)
        assert all(c.display == "x" for q in quarters for r in q.rows for c in r.cells)
        assert_no_cell_recoverable(year_table, year)
        return
    # Everything the five views show, as one table with a column per quarter.
    joint = disclosure.Table("T", labels, values, columns=["Q1", "Q2", "Q3", "Q4"])
    combined = disclosure.PublishedTable(
        title="T",
        rows=[
            disclosure.PublishedRow(label, [q.rows[i].cells[0] for q in quarters], year.rows[i].cells[0])
            for i, label in enumerate(labels)
        ],
        columns=joint.columns,
        column_totals=[q.total for q in quarters],
        total=year.total,
        min_cell=K,
    )
    assert_no_cell_recoverable(joint, combined)
