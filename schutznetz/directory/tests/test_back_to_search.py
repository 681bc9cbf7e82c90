"""The offer page's "Zurück zur Suche" leads back to the search the visitor came from.

The result cards pass the search on to the offer page; the offer page reads it as the finder
does (only the finder's own parameters, only values the finder accepts) and links to the
finder's own address. Nothing else travels, and the link cannot be pointed elsewhere.
"""

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import reverse

from schutznetz.directory import taxonomy

pytestmark = pytest.mark.django_db

BACK = re.compile(r'<a class="kern-link" href="([^"]*)">(?:Zurück zur Suche|Back to search)</a>')


def back_href(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    (href,) = BACK.findall(response.content.decode())
    return html.unescape(href)


def card_links(page):
    """The offer links of the result cards on a finder page (unescaped)."""
    return [
        html.unescape(href)
        for href in re.findall(r'<h3 class="kern-title"><a class="kern-link" href="([^"]*)"', page)
    ]


@pytest.fixture
def offers(make_offer):
    return [
        make_offer(
            f"Beratung {number}",
            kinds=["frauenberatung"],
            municipality="soest",
            languages=["de", "tr"],
            step_free=True,
        )
        for number in range(25)  # two result pages
    ]


def test_cards_carry_the_search_and_the_offer_page_leads_back_to_it(client, offers):
    search = "/hilfe/?q=Beratung&ort=Soest&art=frauenberatung&sprache=tr&barrierefrei=1&seite=2"
    page = client.get(search).content.decode()
    links = card_links(page)
    assert len(links) == 5  # the second page
    expected = "q=Beratung&ort=Soest&art=frauenberatung&sprache=tr&barrierefrei=1&seite=2"
    for link in links:
        assert link.startswith("/hilfe/angebot/") and link.endswith("/?" + expected), link
    assert f'href="{links[0].replace("&", "&amp;")}"' in page  # escaped in the markup
    back = back_href(client, links[0])
    assert back == "/hilfe/?" + expected
    # Following it shows the same search: the visitor's values and the same page of results.
    again = client.get(back).content.decode()
    assert (
        'value="Beratung"' in again and 'value="Soest"' in again and 'id="id_barrierefrei" checked' in again
    )
    assert '<option value="tr" selected>' in again and 'start="21"' in again
    assert card_links(again) == links


def test_htmx_results_carry_the_search_too(client, offers):
    fragment = client.get(
        "/hilfe/?ort=Soest&jetzt_offen=&sprache=tr", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment
    links = card_links(fragment)
    assert links and all(link.endswith("/?ort=Soest&sprache=tr") for link in links)
    assert back_href(client, links[0]) == "/hilfe/?ort=Soest&sprache=tr"


def test_a_page_past_the_end_leads_back_to_the_page_shown(client, offers):
    links = card_links(client.get("/hilfe/?q=Beratung&seite=9").content.decode())
    assert links and all(link.endswith("?q=Beratung&seite=2") for link in links)


def test_english_pages_keep_the_search_and_their_language(client, offers):
    page = client.get("/en/hilfe/?ort=Soest&art=frauenberatung").content.decode()
    links = card_links(page)
    assert links and all(
        re.fullmatch(r"/en/hilfe/angebot/[0-9a-f-]{36}/\?ort=Soest&art=frauenberatung", x) for x in links
    )
    detail = client.get(links[0]).content.decode()
    assert "Back to search" in detail and "Zurück zur Suche" not in detail
    assert back_href(client, links[0]) == "/en/hilfe/?ort=Soest&art=frauenberatung"
    # The language switch on the offer page keeps the search: its German page leads back in German.
    german = links[0].removeprefix("/en")
    assert f'href="{html.escape(german)}"' in detail
    assert back_href(client, german) == "/hilfe/?ort=Soest&art=frauenberatung"


def test_offer_page_opened_directly_leads_to_the_empty_finder(client, offers):
    offer = offers[0]
    assert back_href(client, reverse("directory:offer_detail", args=[offer.hsds_id])) == "/hilfe/"
    assert back_href(client, f"/en/hilfe/angebot/{offer.hsds_id}/") == "/en/hilfe/"
    # A search that is no search (empty values, only defaults) is the same as none.
    assert back_href(client, f"/hilfe/angebot/{offer.hsds_id}/?q=++&seite=1&umkreis=30&art=") == "/hilfe/"
    # The finder itself without a search: cards lead to the plain offer page.
    links = card_links(client.get("/hilfe/").content.decode())
    assert links and all(link.endswith(f"/{link.split('/')[-2]}/") for link in links)


def test_unknown_parameters_and_values_are_dropped(client, offers):
    offer = offers[0]
    url = (
        f"/hilfe/angebot/{offer.hsds_id}/?q=+Beratung+&art=zauberei&zielgruppe=frauen&sprache=xx"
        "&barrierefrei=ja&jetzt_offen=vielleicht&umkreis=9999&seite=abc"
        "&next=https://example.net/&utm_source=newsletter&zurueck=/intern/&csrfmiddlewaretoken=x"
    )
    back = back_href(client, url)
    assert back == "/hilfe/?q=Beratung&zielgruppe=frauen&barrierefrei=1&umkreis=500"
    # The finder's cards pass on the same cleaned search, never the address they were given.
    page = client.get("/hilfe/" + url.split("?", 1)[1]).content.decode()
    for link in card_links(page):
        assert link.endswith("/?q=Beratung&zielgruppe=frauen&barrierefrei=1&umkreis=500"), link
    # Every code the finder knows does travel.
    for code in list(taxonomy.KINDS)[:3]:
        assert back_href(client, f"/hilfe/angebot/{offer.hsds_id}/?art={code}") == f"/hilfe/?art={code}"


EVIL = "https://example.net/"


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        # A return address smuggled in: dropped, the search itself is kept.
        ("zurueck=https://example.net/", []),
        ("zurueck=//example.net/hilfe/", []),
        ("next=https://example.net/", []),
        # Addresses, schemes, markup and line breaks typed as search values stay search values.
        ("q=https://example.net/", [("q", EVIL)]),
        ("ort=//example.net", [("ort", "//example.net")]),
        ("ort=%5C%5Cexample.net", [("ort", "\\\\example.net")]),
        ("q=javascript:alert(1)", [("q", "javascript:alert(1)")]),
        ("q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", [("q", '"><script>alert(1)</script>')]),
        ("q=a%0D%0ALocation:%20https://example.net/", [("q", "a\r\nLocation: https://example.net/")]),
        ("q=%23&ort=%3F", [("q", "#"), ("ort", "?")]),
        # A code with a path or a second parameter in it is no known code: dropped.
        ("art=frauenberatung%2F..%2F..%2Fintern", []),
        ("sprache=tr%26next%3Dhttps://example.net", []),
    ],
)
def test_a_crafted_value_cannot_point_the_link_elsewhere(client, offers, query, kept):
    offer = offers[0]
    url = f"/hilfe/angebot/{offer.hsds_id}/?zielgruppe=frauen&{query}"
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "<script>alert" not in body
    assert "Location" not in response.headers and not response.cookies
    assert "no-store" in response["Cache-Control"]
    back = back_href(client, url)
    # Always the finder's own address; whatever was typed stays a search value inside its query.
    parts = urlsplit(back)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("", "", "/hilfe/", "")
    order = ["q", "ort", "art", "zielgruppe", "sprache"]
    expected = sorted([*kept, ("zielgruppe", "frauen")], key=lambda pair: order.index(pair[0]))
    assert parse_qsl(parts.query, keep_blank_values=True) == expected
    assert back == "/hilfe/?" + urlencode(expected)
