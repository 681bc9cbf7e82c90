"""Where a visitor says where she is: the place field and the free text.

A woman on her phone types what she knows: a postcode, "Wickede" for Wickede (Ruhr), a typo, or
the town into the first field. Each must lead to offers near her, never to an arbitrary town
(a part of a postcode) and never to "nothing found" because the town went into the wrong field.
"""

import pytest

from schutznetz.directory import finder_index, queries

pytestmark = pytest.mark.django_db


def _heading(client, query, **headers):
    html = client.get("/hilfe/?" + query, **headers).content.decode()
    start = html.index('id="ergebnisse-titel">') + len('id="ergebnisse-titel">')
    return html, html[start : html.index("</h2>", start)]


@pytest.mark.parametrize("text", ["5", "9", "595", "5955", "595555"])
def test_a_part_of_a_postcode_is_no_place(client, text):
    assert queries.resolve_place(text) is None
    assert finder_index.current().place(text) is None
    html, heading = _heading(client, f"ort={text}")
    assert "für" not in heading and f"„{text}“ ist uns nicht bekannt" in html


@pytest.mark.parametrize(
    ("text", "name"),
    [("59555", "Lippstadt"), ("59557", "Lippstadt"), ("58739", "Wickede (Ruhr)"), ("59494", "Soest")],
)
def test_every_whole_postcode_of_a_place_finds_it(text, name):
    assert queries.resolve_place(text).name == name
    assert finder_index.current().place(text).name == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Wickede", "Wickede (Ruhr)"),  # the name as people say it
        ("Lipstadt", "Lippstadt"),  # typos
        ("Lippstad", "Lippstadt"),
        ("Soets", "Soest"),
        ("Mohnesee", "Möhnesee"),
        ("Bad Sasendorf", "Bad Sassendorf"),
    ],
)
def test_shortened_and_mistyped_names_find_the_place_and_say_so(client, text, name):
    assert queries.resolve_place(text).name == name
    assert finder_index.current().place(text).name == name
    html, heading = _heading(client, "ort=" + text)
    assert heading.endswith(f"für {name}")
    assert f"Ort: „{text}“ – gezeigt werden Angebote für {name}." in html.replace("&#x27;", "'")


@pytest.mark.parametrize("text", ["Bad", "Nirgendwo", "Beratung", "Frauenhaus"])
def test_no_guess_without_a_clear_match(text):
    assert queries.resolve_place(text) is None
    assert finder_index.current().place(text) is None


def test_exact_names_need_no_notice(client):
    for text, name in (
        ("Lippstadt", "Lippstadt"),
        ("lippstadt", "Lippstadt"),
        ("LIPPSTADT", "Lippstadt"),
        ("59555", "Lippstadt"),
        ("wickede ruhr", "Wickede (Ruhr)"),
    ):
        html, heading = _heading(client, "ort=" + text)
        assert heading.endswith(f"für {name}") and "gezeigt werden Angebote für" not in html


@pytest.fixture
def lippstadt_offers(make_offer):
    """Offers near Lippstadt whose own text does not name the town (a hotline, a shelter)."""
    return {
        "local": make_offer("Frauenberatung Lippe", municipality="lippstadt", description="Beratung."),
        "hotline": make_offer(
            "Hilfetelefon Test", kinds=["hotline"], municipality="", serves_everywhere=True, is_24_7=True
        ),
        "far": make_offer("Frauenberatung Fern", municipality="wickede-ruhr"),
    }


@pytest.mark.parametrize("query", ["q=59555", "q=Lippstadt", "q=lippstadt,", "q=Hilfe+in+Lippstadt"])
def test_a_place_typed_into_the_free_text_searches_at_that_place(client, lippstadt_offers, query):
    html, heading = _heading(client, query)
    assert heading.endswith("für Lippstadt"), heading
    assert "Frauenberatung Lippe" in html and "Hilfetelefon Test" in html
    assert "Frauenberatung Fern" not in html  # about 38 km away: outside the radius
    # The form shows what she typed, where she typed it.
    assert 'id="id_ort" value=""' in html
    assert f'id="id_q" value="{query[2:].replace("+", " ")}"' in html


def test_the_rest_of_the_free_text_still_searches(client, lippstadt_offers, make_offer):
    make_offer("Kinderschutz Lippstadt", kinds=["kinderschutz"], municipality="lippstadt")
    html, heading = _heading(client, "q=Frauenberatung+Lippstadt")
    assert heading.startswith("1 Angebot gefunden") and heading.endswith("für Lippstadt")
    assert "Frauenberatung Lippe" in html and "Kinderschutz Lippstadt" not in html
    fragment, heading = _heading(client, "q=Frauenberatung+Lippstadt", HTTP_HX_REQUEST="true")
    assert heading.startswith("1 Angebot gefunden")


def test_a_place_field_keeps_the_free_text_as_text(client, lippstadt_offers):
    """With the place field filled, a town in the free text is text (an offer's name or description)."""
    html, heading = _heading(client, "q=Lippstadt&ort=Lippstadt")
    assert "Hilfetelefon Test" not in html


def test_api_reads_a_place_in_the_free_text_too(client, lippstadt_offers):
    names = [item["name"] for item in client.get("/api/v1/offers/?q=59555").json()["results"]]
    assert "Frauenberatung Lippe" in names and "Hilfetelefon Test" in names
    assert "Frauenberatung Fern" not in names


def test_a_page_past_the_end_shows_the_last_page(client, make_offer):
    for number in range(23):
        make_offer(f"Beratung {number:02d}", municipality="soest")
    html = client.get("/hilfe/?ort=Soest&seite=9").content.decode()
    assert "23 Angebote gefunden" in html and "Kein Angebot passt" not in html
    assert 'start="21"' in html and "Nächste Seite" not in html
    assert 'href="?ort=Soest&amp;seite=1"' in html  # back to the page before the last
    empty = client.get("/hilfe/?ort=Soest&art=polizei&seite=3").content.decode()
    assert "0 Angebote gefunden" in empty and "Kein Angebot passt" in empty
