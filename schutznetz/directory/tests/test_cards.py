"""The finder's result cards (rendered in Python, from light display rows)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from schutznetz.directory import cards, queries, services
from schutznetz.directory.models import ShelterReport

pytestmark = pytest.mark.django_db


def finder_page(**query):
    return queries.find_offers(queries.FinderParams.from_query(query), cards=True)


def test_card_escapes_every_value_and_links_to_the_offer(client, make_offer):
    offer = make_offer('<script>alert("x")</script> Beratung', phone="02921 / 12-34", is_24_7=True)
    html = client.get(reverse("directory:finder") + "?q=Beratung").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Beratung" in html
    assert f'href="{reverse("directory:offer_detail", args=[offer.hsds_id])}?q=Beratung"' in html
    assert 'href="tel:029211234"' in html and "(rund um die Uhr)" in html
    assert "Warum dieses Ergebnis" in html and "Name passt zu „beratung“" in html


def test_card_of_protected_address_shows_only_the_town(shelter):
    result = finder_page(art="frauenhaus")
    html = cards.cards_html(result.results)
    assert "Adresse geschützt, Soest" in html and "Geheimweg" not in html


def test_card_light_follows_the_latest_report_and_turns_grey_after_24_hours(anbieter, shelter):
    assert finder_page(art="frauenhaus").results[0].offer.light == "grey"
    services.report_shelter_places(anbieter, shelter, free_places=0, children_allowed=False)
    services.report_shelter_places(anbieter, shelter, free_places=2, children_allowed=True)
    now = timezone.now()
    (item,) = finder_page(art="frauenhaus").results
    assert item.offer.light == "green" and item.offer.latest_report.free_places == 2
    html = cards.cards_html([item])
    assert "sn-traffic-light--green" in html and "gemeldet um" in html
    later = queries.find_offers(
        queries.FinderParams.from_query({"art": "frauenhaus"}),
        now=now + timedelta(hours=24, minutes=1),
        cards=True,
    )
    assert later.results[0].offer.light == "grey" and later.results[0].offer.latest_report is None
    # An older report never outranks a newer one, even at the edge of the 24-hour window.
    ShelterReport.objects.filter(free_places=2).update(reported_at=now - timedelta(hours=30))
    (item,) = finder_page(art="frauenhaus").results
    assert item.offer.light == "red"
