"""The public help finder pages: safety headers, no cookies, emergency numbers first, protected addresses."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

EMERGENCY = ["116 016", "0800 22 55 530", "110", "116 006"]


@pytest.fixture
def pages(make_offer, shelter):
    offer = make_offer("Frauenberatung Soest")
    return [
        reverse("directory:finder"),
        reverse("directory:finder")
        + "?q=beratung&ort=Soest&art=frauenberatung&sprache=de&barrierefrei=1&jetzt_offen=1",
        reverse("directory:offer_detail", args=[offer.hsds_id]),
        reverse("directory:offer_detail", args=[shelter.hsds_id]),
        reverse("directory:easy_language"),
        "/en/hilfe/",
        f"/en/hilfe/angebot/{offer.hsds_id}/",
        "/api/v1/offers/",
        f"/api/v1/offers/{offer.hsds_id}/",
    ]


def test_no_cookie_no_store_and_neutral_title_on_every_help_finder_response(client, pages):
    for url in pages:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(url, **headers)
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers and not response.cookies, url
            assert "no-store" in response["Cache-Control"], url
            if not url.startswith("/api/") and not headers:
                html = response.content.decode()
                assert "<title>Informationen</title>" in html or "<title>Information</title>" in html, url
                assert "csrfmiddlewaretoken" not in html
                assert "data-quick-exit" in html


def test_emergency_numbers_come_before_any_result(client, pages):
    html = client.get(pages[1]).content.decode()
    first_result = html.index('id="ergebnisse"')
    for number in EMERGENCY:
        assert -1 < html.index(number) < first_result


def test_form_works_without_js_and_htmx_gets_a_fragment(client, pages):
    html = client.get(pages[0]).content.decode()
    assert 'method="get"' in html and 'hx-get="/hilfe/"' in html and 'hx-replace-url="true"' in html
    # Searches replace the address instead of adding to the back history (someone may page through it).
    assert "hx-push-url" not in html
    fragment = client.get(pages[1], HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    restore = client.get(pages[1], HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_protected_shelter_address_never_shown_publicly(client, shelter):
    for url in (
        reverse("directory:finder") + "?art=frauenhaus",
        reverse("directory:offer_detail", args=[shelter.hsds_id]),
        "/api/v1/offers/?art=frauenhaus",
        f"/api/v1/offers/{shelter.hsds_id}/",
    ):
        body = client.get(url).content.decode()
        assert "Geheimweg" not in body, url
        assert shelter.name in body
    detail = client.get(reverse("directory:offer_detail", args=[shelter.hsds_id])).content.decode()
    assert "Adresse geschützt" in detail and "02921 123456" in detail


def test_offer_page_shows_contact_hours_languages_costs_access_and_verification(client, make_offer):
    offer = make_offer(
        "Beratung mit Zeiten",
        languages=["de", "tr"],
        schedules=[[1, "14:00", "17:00"]],
        step_free=True,
        fees_description="Erstgespräch kostenlos",
        email="info@example.org",
    )
    html = client.get(reverse("directory:offer_detail", args=[offer.hsds_id])).content.decode()
    for text in (
        "02921 0000",
        "info@example.org",
        "Dienstag: 14:00–17:00",
        "Türkisch",
        "kostenlos",
        "stufenlos",
        "Zuletzt geprüft",
        offer.verified_at.strftime("%d.%m.%Y"),
    ):
        assert text in html, text


def test_english_page_under_en_prefix(client, pages):
    response = client.get("/en/hilfe/")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in html
    assert "Town or postcode" in html and "Women&#x27;s counselling" in html
    # The label's English wording is the translators' choice; the German source must not show.
    assert "Art der Hilfe" not in html and ("Kind of help" in html or "Type of help" in html)


def test_unknown_or_unpublished_offer_is_404(client, make_offer):
    offer = make_offer()
    offer.is_published = False
    offer.save()
    assert client.get(reverse("directory:offer_detail", args=[offer.hsds_id])).status_code == 404
    assert client.get(f"/api/v1/offers/{offer.hsds_id}/").status_code == 404


def test_navigation_links_follow_the_page_language(client):
    """The core caches reversed navigation URLs; the cache must be per language."""
    german = client.get("/hilfe/").content.decode()
    english = client.get("/en/hilfe/").content.decode()
    german_again = client.get("/hilfe/").content.decode()
    assert 'href="/hilfe/leichte-sprache/"' in german and 'href="/hilfe/leichte-sprache/"' in german_again
    assert 'href="/en/hilfe/leichte-sprache/"' in english
    assert 'href="/en/hilfe/leichte-sprache/"' not in german_again


def test_htmx_search_announces_the_count_in_a_live_region_that_stays(client, pages):
    """A screen reader announces a live region's change only if the region was on the page
    before: the count goes out of band into a region outside the swapped results, and the
    swapped results (twenty cards) are no live region themselves."""
    html = client.get(pages[0]).content.decode()
    region = re.search(r'<div id="ergebnisse-status"[^>]*></div>', html)
    assert region and 'role="status"' in region.group(0), "empty live region on the page"
    results = html[html.index('id="ergebnisse"') : html.index("</section>", html.index('id="ergebnisse"'))]
    assert "ergebnisse-status" not in results and "aria-live" not in results
    fragment = client.get("/hilfe/?ort=Soest&art=frauenberatung", HTTP_HX_REQUEST="true").content.decode()
    oob = re.search(r'<div id="ergebnisse-status" hx-swap-oob="innerHTML"><p>([^<]*)</p></div>', fragment)
    assert oob and oob.group(1) == "1 Angebot gefunden – für Soest"
    assert "aria-live" not in fragment
    # What was not understood is announced with the count.
    fragment = client.get("/hilfe/?ort=Atlantis", HTTP_HX_REQUEST="true").content.decode()
    status = fragment[fragment.index('<div id="ergebnisse-status"') :]
    assert "Angebote gefunden</p><ul><li>Ort: „Atlantis“ ist uns nicht bekannt" in status


def test_a_protected_offer_without_municipality_keeps_no_position(client, make_offer, koordination):
    """An offer that had its house's coordinates and is then protected must not keep them: the
    radius (umkreis) asked from a few places would tell where the house is."""
    from schutznetz.directory import services

    offer = make_offer("Beratung an geheimem Ort", municipality="", latitude=51.61234, longitude=8.12345)
    services.update_offer(koordination, offer, {"address_protected": True})
    offer.refresh_from_db()
    assert offer.address_protected and offer.latitude is None and offer.longitude is None
    for radius in (5, 6, 7):  # the answer no longer depends on the distance to the house
        names = [
            o["name"] for o in client.get(f"/api/v1/offers/?ort=Soest&umkreis={radius}").json()["results"]
        ]
        assert offer.name not in names


def test_protected_offers_saved_before_lose_their_own_position(make_offer):
    """Migration 0008 puts rows saved before the rule into the same state."""
    import importlib

    from django.apps import apps

    from schutznetz.directory.models import Offer

    migration = importlib.import_module("schutznetz.directory.migrations.0008_protected_positions")
    loose = make_offer("Ohne Gemeinde", municipality="", latitude=51.61, longitude=8.12)
    placed = make_offer("Mit Gemeinde", municipality="soest")
    open_offer = make_offer("Offen", municipality="", latitude=51.7, longitude=8.2)
    # As rows written before the rule: protected, with the house's coordinates.
    Offer.objects.filter(pk__in=[loose.pk, placed.pk]).update(
        address_protected=True, latitude=51.6123, longitude=8.1234
    )
    migration.forget_protected_positions(apps, None)
    loose.refresh_from_db(), placed.refresh_from_db(), open_offer.refresh_from_db()
    assert (loose.latitude, loose.longitude) == (None, None)
    assert (placed.latitude, placed.longitude) == (
        placed.municipality.latitude,
        placed.municipality.longitude,
    )
    assert (open_offer.latitude, open_offer.longitude) == (51.7, 8.2)  # not protected: unchanged
