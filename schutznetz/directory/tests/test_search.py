"""Search and ranking: the same results on SQLite and PostgreSQL, and why each result matched."""

import pytest
from django.urls import reverse

from schutznetz.directory import queries, search
from schutznetz.directory.models import Offer

pytestmark = pytest.mark.django_db


def names(**query):
    params = queries.FinderParams.from_query(query)
    return [r.offer.name for r in queries.find_offers(params).results]


@pytest.fixture
def directory(make_offer):
    make_offer("Frauenberatung Soest", kinds=["frauenberatung"], municipality="soest")
    make_offer(
        "Frauenberatung Lippstadt", kinds=["frauenberatung"], municipality="lippstadt", languages=["de", "tr"]
    )
    make_offer(
        "Lichtblick",
        kinds=["fachberatung-sexualisierte-gewalt"],
        municipality="lippstadt",
        languages=["de", "tr"],
        description="Beratung nach Vergewaltigung und sexueller Belästigung",
    )
    make_offer(
        "Kinderschutz Werl",
        kinds=["kinderschutz"],
        municipality="werl",
        target_groups=["kinder-und-jugendliche"],
    )
    make_offer("Jugendamt Warstein", kinds=["jugendamt"], municipality="warstein", step_free=True)
    make_offer(
        "Hotline bundesweit",
        kinds=["hotline"],
        municipality="",
        serves_everywhere=True,
        is_24_7=True,
        street="",
    )


def test_normalise_and_tokens_fold_umlauts_and_drop_stopwords():
    assert search.normalise("Mädchen-Beratung für Ältere") == "maedchen beratung fuer aeltere"
    assert search.tokens("Hilfe für Frauen in Lippstadt") == ["frauen", "lippstadt"]


def test_name_match_outranks_description_match(directory, make_offer):
    make_offer("Allgemeine Stelle", kinds=["opferhilfe"], description="auch Frauenberatung")
    result = names(q="Frauenberatung")
    assert set(result[:2]) == {"Frauenberatung Soest", "Frauenberatung Lippstadt"}
    assert result[-1] == "Allgemeine Stelle"


def test_typo_still_finds_frauenberatung_and_says_why(directory):
    params = queries.FinderParams.from_query({"q": "Frauenberatng"})
    results = queries.find_offers(params).results
    assert {r.offer.name for r in results} == {"Frauenberatung Soest", "Frauenberatung Lippstadt"}
    assert all("frauenberatung" in " ".join(r.reasons) for r in results)
    assert all("ähnliche Schreibweise" in r.reasons[0] for r in results)


def test_compound_word_part_and_stem_match(directory):
    assert names(q="beratung") == ["Frauenberatung Lippstadt", "Frauenberatung Soest", "Lichtblick"]
    # plural/inflected forms reach the stem on both databases
    assert names(q="Vergewaltigungen") == ["Lichtblick"]


def test_all_tokens_must_match(directory):
    assert names(q="Kinderschutz Vergewaltigung") == []
    assert names(q="Kinderschutz Werl") == ["Kinderschutz Werl"]
    # A town in the free text is the place (test_places.py): the nearest Frauenberatung, not nothing.
    assert names(q="Frauenberatung Werl") == ["Frauenberatung Soest"]


def test_place_ranks_by_distance_and_explains(directory):
    params = queries.FinderParams.from_query({"ort": "Lippstadt", "art": "frauenberatung"})
    result = queries.find_offers(params)
    assert result.place.name == "Lippstadt"
    assert [r.offer.name for r in result.results] == ["Frauenberatung Lippstadt", "Frauenberatung Soest"]
    first, second = result.results
    assert "in Lippstadt" in first.reasons and "Art: Frauenberatung" in first.reasons
    assert any(reason.startswith("ca. ") and reason.endswith("km entfernt") for reason in second.reasons)
    assert 20 < second.distance_km < 25  # Soest–Lippstadt centres, haversine


def test_postcode_resolves_place_and_radius_limits(directory):
    assert queries.resolve_place("59555").name == "Lippstadt"
    assert queries.resolve_place("möhnesee").name == "Möhnesee"
    # Werl is ~ 30 km from Lippstadt: outside a 10 km radius, except offers serving everywhere
    assert names(ort="59555", umkreis="10") == [
        "Frauenberatung Lippstadt",
        "Lichtblick",
        "Hotline bundesweit",
    ]


def test_filters_language_target_barrier_free(directory):
    assert names(sprache="tr") == ["Frauenberatung Lippstadt", "Lichtblick"]
    assert names(zielgruppe="kinder-und-jugendliche") == ["Kinderschutz Werl"]
    assert names(barrierefrei="1") == ["Jugendamt Warstein"]
    assert names(ort="Lippstadt", art="fachberatung-sexualisierte-gewalt", sprache="tr") == ["Lichtblick"]


def test_open_now_uses_schedules_and_24_7(make_offer):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    make_offer("Montagsberatung", schedules=[[0, "09:00", "12:00"]])
    make_offer("Immer da", is_24_7=True)
    monday_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    monday_13 = datetime(2026, 11, 23, 13, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    params = queries.FinderParams.from_query({"jetzt_offen": "1"})
    assert sorted(r.offer.name for r in queries.find_offers(params, now=monday_10).results) == [
        "Immer da",
        "Montagsberatung",
    ]
    assert [r.offer.name for r in queries.find_offers(params, now=monday_13).results] == ["Immer da"]


def test_unknown_filter_values_are_reported_not_fatal(directory, client):
    response = client.get(reverse("directory:finder"), {"art": "<script>", "ort": "Atlantis"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Art der Hilfe: „&lt;script&gt;“ ist unbekannt" in html
    assert "Ort: „Atlantis“ ist uns nicht bekannt" in html


def test_unpublished_and_inactive_offers_are_not_found(directory):
    Offer.objects.filter(name="Lichtblick").update(is_published=False)
    Offer.objects.filter(name="Frauenberatung Soest").update(status="inactive")
    assert names(q="beratung") == ["Frauenberatung Lippstadt"]


def test_same_results_as_reference_ranking(directory):
    """The SQL retrieval never loses a result the ranking rules would accept (checked on both databases)."""
    everything = list(queries.public_offers())
    for q in [
        "Frauenberatung",
        "frauenberatng",
        "beratung belaestigung",  # (a town in the free text is a place: test_places.py)
        "kinderschutz",
        "Vergewaltigung",
        "jugend",
        "hotline",
    ]:
        tokens = search.tokens(q)
        expected = [r.offer.name for r in search.rank(everything, tokens)]
        assert names(q=q) == expected, q
