"""Demo data: idempotent, marks fictional offers, covers the finder scenario and every municipality."""

import io

import pytest

from schutznetz.accounts import demo as accounts_demo
from schutznetz.directory import demo, queries
from schutznetz.directory.models import Municipality, Offer

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_meaningful():
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    count = Offer.objects.count()
    demo.load(io.StringIO())
    assert Offer.objects.count() == count
    assert Offer.objects.filter(is_fictional=True).count() >= 15
    assert not Offer.objects.filter(is_fictional=False, name__contains="fiktiv").exists()
    covered = set(Offer.objects.exclude(municipality=None).values_list("municipality__name", flat=True))
    assert covered == set(Municipality.objects.values_list("name", flat=True))
    languages = "".join(Offer.objects.values_list("languages", flat=True))
    assert all(f"|{code}|" in languages for code in ("tr", "ar", "en"))
    frauenhaus = Offer.objects.get(name="Frauenhaus Soest")
    assert frauenhaus.address_protected and frauenhaus.provider.organisation.name == "Frauenhaus Soest"
    params = queries.FinderParams.from_query(
        {"ort": "Lippstadt", "art": "fachberatung-sexualisierte-gewalt", "sprache": "tr"}
    )
    assert [r.offer.name for r in queries.find_offers(params).results][0].startswith("Lichtblick")
