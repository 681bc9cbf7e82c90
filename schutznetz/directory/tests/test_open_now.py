""" "jetzt erreichbar" at night: services open past midnight, the last hour before it, and
summer and winter time, answered alike by the in-memory index and the database search."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from schutznetz.directory import forms, queries

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def night_services(make_offer):
    make_offer("Nachtberatung", schedules=[[4, "20:00", "02:00"]])  # Friday night into Saturday
    make_offer("Abendtelefon", schedules=[[5, "18:00", "00:00"]])  # Saturday until midnight
    make_offer("Vormittag", schedules=[[4, "09:00", "12:00"]])
    make_offer("Immer da", is_24_7=True)


def open_names(now):
    params = queries.FinderParams.from_query({"jetzt_offen": "1"})
    found = []
    for use_index in (True, False):  # no free text: the index; free text: the database
        _place, ranked, _problems = queries.ranked_offers(params, now, use_index=use_index)
        found.append(sorted(r.offer.name for r in ranked))
    assert found[0] == found[1]
    return found[0]


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 27, 10, 0), ["Immer da", "Vormittag"]),  # Friday morning
        (datetime(2026, 11, 27, 19, 59), ["Immer da"]),
        (datetime(2026, 11, 27, 23, 30), ["Immer da", "Nachtberatung"]),  # Friday night
        (datetime(2026, 11, 28, 1, 30), ["Immer da", "Nachtberatung"]),  # after midnight: Saturday
        (datetime(2026, 11, 28, 2, 0), ["Immer da"]),
        (datetime(2026, 11, 28, 23, 59), ["Abendtelefon", "Immer da"]),  # until midnight
        (datetime(2026, 11, 29, 0, 0), ["Immer da"]),  # midnight: closed
    ],
)
def test_open_now_past_midnight(night_services, local, expected):
    assert open_names(local.replace(tzinfo=BERLIN)) == expected


def test_open_now_judges_local_time_in_summer_and_winter(make_offer):
    make_offer("Nachtberatung", schedules=[[5, "22:00", "03:00"]])  # Saturday night into Sunday
    # 01:30 on a Sunday in Berlin: 23:30 UTC on Saturday in summer time, 00:30 UTC in winter time.
    assert open_names(datetime(2026, 3, 28, 20, 30, tzinfo=UTC)) == []  # Saturday 21:30 CET
    assert open_names(datetime(2026, 3, 29, 0, 30, tzinfo=UTC)) == ["Nachtberatung"]  # 01:30 CET
    assert open_names(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == []  # 03:30 CEST: closed
    assert open_names(datetime(2026, 10, 24, 23, 30, tzinfo=UTC)) == ["Nachtberatung"]  # 01:30 CEST
    assert open_names(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == ["Nachtberatung"]  # 02:30 CET
    assert open_names(datetime(2026, 10, 25, 2, 30, tzinfo=UTC)) == []  # 03:30 CET


def test_the_form_takes_hours_past_midnight():
    form = forms.OfferForm()
    form.cleaned_data = {"opening_hours": "Fr 20:00-02:00, Sa 18:00-24:00"}
    form.clean_opening_hours()
    assert form.cleaned_data["schedules"] == [[4, "20:00", "02:00"], [5, "18:00", "00:00"]]
    refused = forms.OfferForm()
    refused.cleaned_data = {"opening_hours": "Mo 09:00-09:00"}
    with pytest.raises(ValidationError, match="ungültige Uhrzeit"):
        refused.clean_opening_hours()
