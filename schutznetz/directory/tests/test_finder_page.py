"""The finder page is served from a page shell (core/shells.py): byte for byte what the
template engine renders, for every kind of result page, in both languages, full and htmx."""

import random

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation
from django.utils.http import urlencode

from schutznetz.core import shells
from schutznetz.core.middleware import mark_public
from schutznetz.directory import finder_index, services, taxonomy, views

pytestmark = pytest.mark.django_db

HOSTILE = '"><script>alert(1)</script>'


@pytest.fixture
def offers(make_offer, anbieter, shelter):
    services.report_shelter_places(anbieter, shelter, free_places=2, children_allowed=True)
    for number in range(25):  # more than one page for a broad search
        make_offer(
            f"Beratung {number}",
            kinds=[list(taxonomy.KINDS)[number % 4]],
            municipality=["soest", "lippstadt", "werl"][number % 3],
            languages=["de", "tr"] if number % 2 else ["de"],
            step_free=number % 5 == 0,
        )


def random_queries(count, seed=3):
    rng = random.Random(seed)
    choices = {
        "q": ["", "Beratung", "Frauenberatng", HOSTILE],
        "ort": ["", "Soest", "59555", "Nirgendwo <b>", "Lippstadt"],
        "art": ["", "frauenhaus", "frauenberatung", "kinderschutz", "unbekannt"],
        "sprache": ["", "tr", "de"],
        "barrierefrei": ["", "1"],
        "seite": ["", "2", "9"],
    }
    for _ in range(count):
        query = {name: rng.choice(values) for name, values in choices.items()}
        yield urlencode({name: value for name, value in query.items() if value})


def reference(path, language, partial):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    mark_public(request)
    # Built afresh: the finder index keeps card parts between requests, and the reference must
    # not share what the page under test may have kept wrongly.
    finder_index.current().card_memo.clear()
    with translation.override(language):
        structure, holes = views._finder_page(request)
        template = views.FRAGMENT_TEMPLATE if partial else "directory/finder.html"
        return shells.reference(request, template, structure, holes)


@pytest.mark.parametrize("language", ["de", "en"])
def test_finder_page_equals_the_template_engines_rendering(client, offers, language):
    prefix = "/en" if language == "en" else ""
    for query in random_queries(30):
        path = f"{prefix}/hilfe/?{query}"
        page = client.get(path).content.decode()
        assert page == reference(path, language, partial=False), path
        fragment = client.get(path, HTTP_HX_REQUEST="true").content.decode()
        assert fragment == reference(path, language, partial=True), path
        assert "<script>alert" not in page


def test_finder_page_keeps_the_visitors_values_and_pages(client, offers):
    html = client.get("/hilfe/?q=Beratung&barrierefrei=1&sprache=tr&art=frauenberatung").content.decode()
    assert 'value="Beratung"' in html and 'id="id_barrierefrei" checked' in html
    assert '<option value="tr" selected>' in html and '<option value="frauenberatung" selected>' in html
    broad = client.get("/hilfe/?q=Beratung").content.decode()
    assert 'href="?q=Beratung&amp;seite=2"' in broad and "Vorherige Seite" not in broad
    second = client.get("/hilfe/?q=Beratung&seite=2").content.decode()
    assert 'start="21"' in second and 'href="?q=Beratung&amp;seite=1"' in second
    unknown = client.get("/hilfe/?ort=Nirgendwo").content.decode()
    assert "„Nirgendwo“ ist uns nicht bekannt" in unknown


def test_cards_kept_between_requests_follow_the_language(client, make_offer):
    offer = make_offer("Beratung Soest", municipality="soest")
    german = client.get("/hilfe/?ort=Soest").content.decode()
    english = client.get("/en/hilfe/?ort=Soest").content.decode()
    assert f'href="/hilfe/angebot/{offer.hsds_id}/?ort=Soest"' in german
    assert f'href="/en/hilfe/angebot/{offer.hsds_id}/?ort=Soest"' in english
    assert "Telefon" in german and "Phone" in english and "Telefon" not in english


@pytest.mark.parametrize("language", ["de", "en"])
def test_easy_language_page_equals_the_template_engines_rendering(client, language):
    path = ("/en" if language == "en" else "") + "/hilfe/leichte-sprache/?von=suche"
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    mark_public(request)
    with translation.override(language):
        expected = shells.reference(request, "directory/leichte_sprache.html")
    assert client.get(path).content.decode() == expected
    assert "von=suche" in expected  # the language link keeps the query
