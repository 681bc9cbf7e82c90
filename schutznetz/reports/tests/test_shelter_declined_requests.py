"""Requests shelters could not admit ("nicht vermittelte Anfragen"): the measure on hand-counted
data, by reason and in total, through disclosure control."""

import pytest

from schutznetz.reports import queries
from schutznetz.reports.measures import Period, Scope

from .conftest import at

pytestmark = pytest.mark.django_db

LABELS = [
    "Kein freier Platz",
    "Kinder konnten nicht mitkommen",
    "Barrierefreiheit fehlte",
    "Sprache",
    "Sicherheitsgründe",
    "Kosten nicht gedeckt",
    "Unterstützungsbedarf nicht abzudecken",
    "Sonstiger Grund",
]
MEASURE = "shelter_availability"


@pytest.fixture
def shelters(orgs):
    from schutznetz.directory.models import Offer, Provider

    a, b = orgs
    house_a = Offer.objects.create(
        provider=Provider.objects.create(name="Träger A", organisation=a), name="Haus A", kinds="|frauenhaus|"
    )
    house_b = Offer.objects.create(
        provider=Provider.objects.create(name="Träger B", organisation=b), name="Haus B", kinds="|frauenhaus|"
    )
    return house_a, house_b


def report(shelter, when, free=0, recorded=True, **counts):
    from schutznetz.directory.models import DECLINE_FIELDS, ShelterReport

    values = {f"declined_{k}": v for k, v in counts.items()}
    if recorded:
        values = {**dict.fromkeys(DECLINE_FIELDS, 0), **values}
    return ShelterReport.objects.create(offer=shelter, reported_at=when, free_places=free, **values)


@pytest.fixture
def first_quarter(shelters):
    """Hand-made Q1 2025 with reports outside the quarter and a report without counts."""
    house_a, house_b = shelters
    report(house_a, at(2025, 1, 5), no_place=4, children=2)
    report(house_a, at(2025, 2, 10), no_place=3, language=1)
    report(house_a, at(2025, 3, 20))  # nothing declined
    report(house_b, at(2025, 1, 7), no_place=3, safety=2, funding=1)
    report(
        house_b,
        at(
            2025,
            3,
            31,
            23,
        ),
        no_place=0,
    )  # 31 March, 23:00 local: still Q1
    report(house_b, at(2024, 12, 30), no_place=9)  # previous year
    report(house_b, at(2025, 4, 2), other=1)  # Q2
    report(house_b, at(2025, 1, 2), recorded=False)  # older software: no counts, not zero
    return shelters


def declined_table(result):
    tables = [t for t in result.tables if str(t.title) == "Nicht vermittelte Anfragen nach Grund"]
    assert len(tables) == 1
    return tables[0]


def cells(table):
    return {str(r.label): r.cells[0].display for r in table.rows}


def figures(result):
    return {str(f.label): f.cell.display for f in result.figures}


def test_county_figure_and_reasons_against_hand_counts(first_quarter):
    # By hand, Q1 2025: no place 4+3+3 = 10, children 2, language 1, safety 2, funding 1 → 16.
    result = queries.publish(MEASURE, Period(2025, 1), Scope())
    assert result.available
    table = declined_table(result)
    assert [str(r.label) for r in table.rows] == LABELS
    assert cells(table) == {
        "Kein freier Platz": "10",
        "Kinder konnten nicht mitkommen": "<5",
        "Barrierefreiheit fehlte": "0",
        "Sprache": "<5",
        "Sicherheitsgründe": "<5",
        "Kosten nicht gedeckt": "<5",
        "Unterstützungsbedarf nicht abzudecken": "0",
        "Sonstiger Grund": "0",
    }
    # The year shows 17; the quarter's 16 would give the single request of Q2 back (17 − 16).
    assert table.total.display == "x"
    assert figures(result)["Nicht vermittelte Anfragen"] == "x"
    # Recording began before the quarter's first recorded report? No: one report without counts
    # lies in the quarter (2 January), so the first day with counts is named.
    assert figures(result)["Nicht vermittelte Anfragen erfasst seit"] == "05.01.2025"
    # The headline of the measure (annual comparison) stays the days with a free place.
    assert str(result.figures[0].label) == "Tage mit freiem Platz (alle Einrichtungen)"
    # The chart of the reasons shows the same protected cells.
    assert result.charts[0] == "" and ">&lt;5</text>" in result.charts[1] and ">10</text>" in result.charts[1]


def test_whole_year_and_organisation_scope(first_quarter, orgs):
    a, b = orgs
    year = queries.publish(MEASURE, Period(2025), Scope())
    # + the Q2 "other" request: 17 in the year; the December 2024 report is not counted.
    assert figures(year)["Nicht vermittelte Anfragen"] == "17"
    own_a = queries.publish(MEASURE, Period(2025, 1), Scope(a))
    assert cells(declined_table(own_a))["Kein freier Platz"] == "7"
    assert figures(own_a)["Nicht vermittelte Anfragen"] == "10"  # 4 + 2 + 3 + 1
    assert "Nicht vermittelte Anfragen erfasst seit" not in figures(own_a)  # A has no report without counts
    previous = queries.publish(MEASURE, Period(2024), Scope())
    assert figures(previous)["Nicht vermittelte Anfragen"] == "9"


def test_not_recorded_is_not_zero(shelters):
    house_a, _b = shelters
    report(house_a, at(2023, 5, 1), recorded=False)
    result = queries.publish(MEASURE, Period(2023), Scope())
    assert figures(result)["Nicht vermittelte Anfragen"] == "nicht erfasst"
    assert len(result.tables) == 1  # no table of reasons with made-up zeros
    report(house_a, at(2023, 6, 1))  # recorded, nothing declined: a real zero
    result = queries.publish(MEASURE, Period(2023), Scope())
    assert figures(result)["Nicht vermittelte Anfragen"] == "0"
    assert figures(result)["Nicht vermittelte Anfragen erfasst seit"] == "01.06.2023"


def test_partner_cannot_work_out_the_other_houses_numbers(first_quarter, orgs):
    """Differencing protection: partner A sees its own numbers (no place: 7) and the county's; the
    county's 10 would tell it that the other houses turned away 3 women for lack of a place."""
    a, _b = orgs
    partner_view = queries.publish(MEASURE, Period(2025, 1), Scope(None, a))
    assert cells(declined_table(partner_view))["Kein freier Platz"] == "x"
    # 16 − 10 = 6 would be safe, but the year's 17 − 16 gives the one request of Q2 back
    assert declined_table(partner_view).total.display == "x"
    assert figures(partner_view)["Nicht vermittelte Anfragen"] == "x"


def test_figure_is_the_protected_total_of_the_table(shelters):
    """Four reasons with one request each: every cell is "<5", and a total of 4 would reveal that
    each is exactly 1, so the table is withheld — and the figure must not show the total either."""
    house_a, _b = shelters
    report(house_a, at(2025, 5, 1), children=1, language=1, safety=1, other=1)
    result = queries.publish(MEASURE, Period(2025), Scope())
    table = declined_table(result)
    assert table.withheld and table.total.display == "x"
    assert figures(result)["Nicht vermittelte Anfragen"] == "x"
    assert figures(result)["Nicht vermittelte Anfragen"] != "4"
    data = result.as_dict()
    assert data["figures"][1] == {"label": "Nicht vermittelte Anfragen", "value": None, "display": "x"}
    assert 4 not in [row["value"] for row in data["tables"][1]["rows"]]


def test_small_total_is_shown_as_below_threshold(shelters):
    house_a, _b = shelters
    report(house_a, at(2025, 5, 1), no_place=3)
    result = queries.publish(MEASURE, Period(2025), Scope())
    assert figures(result)["Nicht vermittelte Anfragen"] == "<5"
    assert cells(declined_table(result))["Kein freier Platz"] == "<5"


def test_definition_explains_the_count(first_quarter):
    result = queries.publish(MEASURE, Period(2025), Scope())
    assert "nicht vermittelten Anfragen" in result.definition
    assert "nicht erfasst" in result.definition and "nicht Personen" in result.definition


def test_annual_report_carries_the_reasons_and_the_protected_figure(first_quarter):
    import io

    from openpyxl import load_workbook
    from pypdf import PdfReader

    from schutznetz.reports import annual

    report = annual.build(2025)
    workbook = load_workbook(io.BytesIO(annual.render(report, "xlsx")))
    for sheet in ("Kennzahlen", "Lücken im Hilfeangebot"):
        rows = list(workbook[sheet].iter_rows(values_only=True))
        assert ("Kein freier Platz", 10) in [row[:2] for row in rows], sheet
        assert ("Sprache", "<5") in [row[:2] for row in rows], sheet
    figures_rows = [row[:2] for row in workbook["Kennzahlen"].iter_rows(values_only=True)]
    assert ("Nicht vermittelte Anfragen", 17) in figures_rows
    comparison = list(workbook["Vergleich mit dem Vorjahr"].iter_rows(values_only=True))
    headline = next(row for row in comparison if str(row[0]).startswith("Frauenhausplätze"))
    assert headline[1] != "nicht erfasst"  # the headline stays the days with a free place
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(annual.render(report, "pdf"))).pages
    )
    assert "Nicht vermittelte Anfragen nach Grund" in text and "Kinder konnten nicht mitkommen" in text
