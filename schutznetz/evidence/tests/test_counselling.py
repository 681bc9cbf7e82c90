from unittest import mock

import pytest
from django.urls import reverse

from schutznetz.evidence import counselling

pytestmark = pytest.mark.django_db


def test_status_page_lists_published_counselling_offers_from_the_directory(client):
    from schutznetz.directory.models import Offer, Provider

    provider = Provider.objects.create(name="Frauenberatung Test e. V.")
    Offer.objects.create(
        provider=provider,
        name="Fachberatung nach sexualisierter Gewalt",
        kinds="|fachberatung-sexualisierte-gewalt|",
        is_published=True,
        phone="02921 000000",
    )
    Offer.objects.create(provider=provider, name="Unveröffentlichtes Angebot", kinds="|frauenberatung|")
    Offer.objects.create(
        provider=provider, name="Schuldnerberatung", kinds="|schuldnerberatung|", is_published=True
    )
    names = [offer["name"] for offer in counselling.local_offers()]
    assert names == ["Fachberatung nach sexualisierter Gewalt"]
    body = client.get(reverse("evidence:status")).content.decode()
    assert "Fachberatung nach sexualisierter Gewalt" in body and "02921 000000" in body


def test_a_broken_directory_leaves_the_national_hotlines(client):
    with mock.patch(
        "schutznetz.directory.queries.counselling_offers", side_effect=RuntimeError("kaputt"), create=True
    ):
        assert counselling.local_offers() == []
        response = client.get(reverse("evidence:status"))
    assert response.status_code == 200
    assert "116 016" in response.content.decode()
