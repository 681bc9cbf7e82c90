"""Each measure on small hand-made data with known answers (through the registry, i.e. published)."""

import datetime as dt

import pytest

from schutznetz.reports import measures, queries
from schutznetz.reports.measures import Period, Scope

from .conftest import at, make_case

pytestmark = pytest.mark.django_db


def published(key, period=None, scope=None):
    result = queries.publish(key, period or Period(2025), scope or Scope())
    assert result.available, f"{key}: {result.reason}"
    return result


def rows(table):
    return {str(r.label): r.cells[0].display for r in table.rows}


def figures(result):
    return {str(f.label): f.cell.display for f in result.figures}


def test_period_boundaries_follow_local_time():
    period = Period(2025, 4)
    assert period.start == dt.date(2025, 10, 1) and period.end == dt.date(2026, 1, 1)
    assert period.months == [10, 11, 12]
    with pytest.raises(ValueError, match="Quartal"):
        Period(2025, 5)


def test_cases_by_category_month_and_municipality(orgs):
    a, _b = orgs
    for _ in range(6):
        make_case(a, at(2025, 3, 10), category="stalking", municipality="Werl")
    for _ in range(10):
        make_case(a, at(2025, 5, 10), category="haeusliche_gewalt", municipality="Soest")
    for _ in range(2):
        make_case(a, at(2025, 7, 1), category="kindeswohlgefaehrdung", municipality="Rüthen")
    make_case(a, at(2024, 12, 31, 23), category="stalking")  # 22:00 UTC, local time: previous year
    make_case(a, at(2025, 12, 31, 23), category="stalking", municipality="Werl")  # still 2025 locally

    by_category = published("cases_by_category").tables[0]
    assert rows(by_category)["Häusliche Gewalt"] == "10"
    assert rows(by_category)["Kindeswohlgefährdung"] == "<5"
    assert rows(by_category)["Stalking"] == "x"  # complement: 7 is the smallest other non-zero cell
    assert rows(by_category)["Zwangsverheiratung"] == "0"
    assert by_category.total.display == "19"

    by_month = published("cases_by_month").tables[0]
    assert rows(by_month)["März"] == "6"
    assert rows(by_month)["Mai"] == "10"
    assert rows(by_month)["Juli"] == "<5"
    assert rows(by_month)["Dezember"] == "<5"
    assert rows(by_month)["Januar"] == "0"

    by_place = published("cases_by_municipality").tables[0]
    assert rows(by_place)["Soest"] == "10"
    assert rows(by_place)["Rüthen"] == "<5"
    assert rows(by_place)["Werl"] == "x"


def test_cases_by_organisation_is_collapsed_for_partners(orgs):
    a, b = orgs
    for _ in range(7):
        make_case(a, at(2025, 2, 1))
    for _ in range(8):
        make_case(b, at(2025, 2, 1))
    full = rows(published("cases_by_organisation").tables[0])
    assert full == {"Frauenberatung Test": "7", "Jugendamt Test": "8"}
    partner_view = rows(published("cases_by_organisation", scope=Scope(None, a)).tables[0])
    assert partner_view == {"Frauenberatung Test": "7", "andere Organisationen": "8"}
    own = published("cases_by_category", scope=Scope(a)).tables[0]
    assert own.total.display == "7"


def test_high_risk_share(orgs):
    a, _b = orgs
    for band, n in (("high", 5), ("medium", 10), ("standard", 5), ("", 6)):
        for _ in range(n):
            make_case(a, at(2025, 5, 5), risk_band=band)
    result = published("high_risk_share")
    assert rows(result.tables[0]) == {"Standard": "5", "Mittel": "10", "Hoch": "5", "nicht eingeschätzt": "6"}
    assert figures(result)["Anteil Hochrisikofälle"] == "25,0 %"


def test_share_is_hidden_when_the_table_has_suppressed_cells(orgs):
    a, _b = orgs
    for band, n in (("high", 2), ("medium", 10), ("standard", 9)):
        for _ in range(n):
            make_case(a, at(2025, 5, 5), risk_band=band)
    result = published("high_risk_share")
    assert figures(result)["Anteil Hochrisikofälle"] == "x"


def test_conferences_and_cases_per_conference(orgs):
    from schutznetz.cases.models import AgendaItem, Conference

    a, b = orgs
    cases = [make_case(a, at(2025, 1, 5)) for _ in range(12)]
    first = Conference.objects.create(date=dt.date(2025, 2, 1), chair_organisation=a, status="held")
    second = Conference.objects.create(date=dt.date(2025, 5, 1), chair_organisation=b, status="held")
    Conference.objects.create(date=dt.date(2025, 6, 1), chair_organisation=a, status="planned")
    for case in cases[:8]:
        AgendaItem.objects.create(conference=first, case=case, reason="proposed")
    for case in cases[8:]:
        AgendaItem.objects.create(conference=second, case=case, reason="proposed")
    result = published("conferences")
    assert rows(result.tables[0]) == {"Q1": "1", "Q2": "1", "Q3": "0", "Q4": "0"}  # not about persons
    assert figures(result) == {"Durchgeführte Konferenzen": "2", "Fälle je Konferenz (Mittelwert)": "6,0"}
    only_a = published("conferences", scope=Scope(a))
    assert figures(only_a)["Durchgeführte Konferenzen"] == "1"
    assert figures(only_a)["Fälle je Konferenz (Mittelwert)"] == "–"  # 8 cases < 10


def test_actions_completed_on_time(orgs, monkeypatch):
    from schutznetz.cases.models import Action

    a, _b = orgs
    case = make_case(a, at(2025, 1, 2))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: dt.date(2025, 6, 15))

    def action(due, status, completed=None):
        Action.objects.create(
            case=case, description="x", organisation=a, due_date=due, status=status, completed_on=completed
        )

    for _ in range(10):
        action(dt.date(2025, 3, 1), "done", dt.date(2025, 2, 27))
    for _ in range(6):
        action(dt.date(2025, 3, 1), "done", dt.date(2025, 3, 2))
    for _ in range(5):
        action(dt.date(2025, 4, 1), "open")
    for _ in range(5):
        action(dt.date(2025, 9, 1), "in_progress")
    action(dt.date(2025, 4, 1), "cancelled")
    action(dt.date(2024, 4, 1), "done", dt.date(2024, 4, 1))
    result = published("actions_on_time")
    assert [r.cells[0].display for r in result.tables[0].rows] == ["10", "6", "5", "5"]
    assert figures(result)["Anteil fristgerecht erledigt"] == "47,6 %"  # 10 / 21


def test_time_to_first_contact_median_and_p90(orgs):
    from schutznetz.cases.models import Referral

    a, b = orgs
    case = make_case(a, at(2025, 1, 2))
    start = at(2025, 3, 1, 8)
    for days in range(1, 11):  # 1..10 days
        Referral.objects.create(
            case=case, from_organisation=a, to_organisation=b, referred_at=start,
            first_contact_at=start + dt.timedelta(days=days),
        )  # fmt: skip
    Referral.objects.create(case=case, from_organisation=a, to_organisation=b, referred_at=start)
    result = published("time_to_first_contact")
    # median of 1..10 = 5.5; p90 = 1 + 0.9 * 9 = 9.1 (linear interpolation)
    assert figures(result) == {
        "Median bis zum Erstkontakt": "5,5 Tage",
        "90. Perzentil bis zum Erstkontakt": "9,1 Tage",
    }
    assert rows(result.tables[0]) == {"Erstkontakt erfasst": "x", "kein Erstkontakt erfasst": "<5"}
    assert figures(published("time_to_first_contact", scope=Scope(a)))["Median bis zum Erstkontakt"] == "–"


def test_proposals_to_the_conference_are_not_referrals_without_first_contact(orgs):
    from schutznetz.cases.models import Referral

    a, b = orgs
    case = make_case(a, at(2025, 1, 2))
    start = at(2025, 3, 1, 8)
    for days in range(1, 11):
        Referral.objects.create(
            case=case, from_organisation=a, to_organisation=b, referred_at=start,
            first_contact_at=start + dt.timedelta(days=days),
        )  # fmt: skip
    for _ in range(6):  # proposals to the case conference: no partner, no first contact
        Referral.objects.create(case=case, from_organisation=a, to_organisation=None, referred_at=start)
    result = published("time_to_first_contact")
    assert rows(result.tables[0]) == {"Erstkontakt erfasst": "10", "kein Erstkontakt erfasst": "0"}


def test_time_to_first_contact_hidden_below_ten(orgs):
    from schutznetz.cases.models import Referral

    a, b = orgs
    case = make_case(a, at(2025, 1, 2))
    for days in range(1, 10):
        Referral.objects.create(
            case=case, from_organisation=a, to_organisation=b, referred_at=at(2025, 3, 1),
            first_contact_at=at(2025, 3, 1) + dt.timedelta(days=days),
        )  # fmt: skip
    assert figures(published("time_to_first_contact"))["Median bis zum Erstkontakt"] == "–"


def test_repeat_rate(orgs):
    a, _b = orgs
    for _ in range(5):
        make_case(a, at(2025, 4, 1), is_repeat=True)
    for _ in range(15):
        make_case(a, at(2025, 4, 1))
    result = published("repeat_rate")
    assert figures(result)["Wiederholungsquote"] == "25,0 %"
    assert rows(result.tables[0]) == {"Wiederholungsfall": "5", "kein Wiederholungsfall": "15"}


def test_children_affected(orgs):
    a, _b = orgs
    for _ in range(3):
        make_case(a, at(2025, 4, 1), children_count=2)
    make_case(a, at(2025, 4, 1), category="stalking", children_count=0)
    make_case(a, at(2025, 4, 1), category="kindeswohlgefaehrdung", children_count=1)
    for _ in range(3):
        make_case(a, at(2025, 4, 1), category="kindeswohlgefaehrdung", children_count=3)
    result = published("children_affected")
    assert rows(result.tables[0])["Häusliche Gewalt"] == "6"
    assert rows(result.tables[0])["Kindeswohlgefährdung"] == "10"
    assert result.tables[0].total.display == "16"
    assert figures(result)["Fälle mit Kindern"] == "7"


def test_event_participants_by_profession(orgs):
    from schutznetz.events.models import Event, EventStatistic, Registration

    def event(title, when, erased=False):
        return Event.objects.create(
            title=title, slug=title.lower(), starts_at=when, ends_at=when + dt.timedelta(hours=6),
            venue_name="Kreishaus", venue_city="Soest", capacity=100, is_published=True,
            personal_data_erased_at=at(2025, 12, 1) if erased else None, organiser=orgs[0],
        )  # fmt: skip

    live = event("Fachtag", at(2025, 11, 5))
    old = event("Fruehjahr", at(2025, 3, 5), erased=True)
    event("Vorjahr", at(2024, 3, 5))
    for i in range(6):
        Registration.objects.create(
            event=live, status="confirmed", name="N", email=f"{i}@x.invalid", email_index=str(i),
            profession="polizei", privacy_consent_at=at(2025, 10, 1), token_hash=f"t{i}", ticket_hash=f"k{i}",
            checked_in_at=at(2025, 11, 5) if i < 5 else None,
        )  # fmt: skip
    EventStatistic.objects.create(event=old, profession="polizei", registered=9, attended=7)
    EventStatistic.objects.create(event=old, profession="beratung", registered=12, attended=11)
    result = published("event_participants")
    assert rows(result.tables[0])["Polizei"] == "12"
    assert rows(result.tables[0])["Beratung"] == "11"
    assert [item["title"] for item in result.items] == ["Fruehjahr", "Fachtag"]
    assert figures(result)["Veranstaltungen"] == "2"


def test_unavailable_measure_reports_instead_of_crashing(monkeypatch):
    def broken(period, scope):
        raise measures.Unavailable("fehlt")

    monkeypatch.setitem(
        measures.REGISTRY, "cases_by_category", measures.Measure("cases_by_category", "Fälle", broken)
    )
    result = queries.publish("cases_by_category", Period(2025), Scope())
    assert not result.available and str(result.reason) == "nicht verfügbar"


def test_every_measure_has_a_definition():
    for measure in measures.REGISTRY.values():
        assert len(measure.definition) > 60, measure.key
