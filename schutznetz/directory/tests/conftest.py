import itertools

import pytest

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.directory import services
from schutznetz.testing.factories import make_organisation, make_user

_numbers = itertools.count(1)


def ensure_default_region():
    """Kreis Soest's towns, as migration 0003 loads them: a transactional test's flush empties the
    table for every later test (pytest-django runs transactional tests last, in file order)."""
    from schutznetz.directory.models import Municipality
    from schutznetz.directory.regions import DEFAULT_REGION_FILE, DEFAULT_REGION_NAME, parse_region_csv

    if not Municipality.objects.exists():
        rows = parse_region_csv(DEFAULT_REGION_FILE.read_text(encoding="utf-8"))
        services.load_region(None, DEFAULT_REGION_NAME, rows)


@pytest.fixture
def make_offer(db):
    """Create a published offer through the service layer (as the system)."""
    ensure_default_region()

    def build(name=None, kinds=("frauenberatung",), municipality="soest", provider=None, **data):
        number = next(_numbers)
        provider = provider or services.save_provider(None, name=f"Träger {number}")
        values = {
            "name": name or f"Angebot {number}",
            "kinds": list(kinds),
            "target_groups": list(data.pop("target_groups", ["frauen"])),
            "languages": list(data.pop("languages", ["de"])),
            "municipality": municipality,
            "phone": data.pop("phone", "02921 0000"),
            "street": data.pop("street", "Teststraße 1"),
            "postal_code": data.pop("postal_code", "59494"),
            **data,
        }
        return services.create_offer(None, provider, values)

    return build


@pytest.fixture
def koordination(db):
    org = make_organisation("Koordinierung Test", kind=OrganisationKind.KOORDINATION)
    return make_user("koord", organisation=org, roles=[Role.KOORDINATION], email="koord@example.org")


@pytest.fixture
def shelter_org(db):
    return make_organisation("Frauenhaus Test", kind=OrganisationKind.FRAUENHAUS)


@pytest.fixture
def anbieter(shelter_org):
    return make_user("anbieterin", organisation=shelter_org, roles=[Role.ANBIETER], email="haus@example.org")


@pytest.fixture
def shelter(make_offer, shelter_org):
    provider = services.save_provider(None, name="Frauenhaus Test e. V.", organisation=shelter_org)
    return make_offer(
        "Frauenhaus Teststadt",
        kinds=["frauenhaus"],
        provider=provider,
        street="Geheimweg 13",
        postal_code="59494",
        family_places=8,
        phone="02921 123456",
    )


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(db):
    """API throttling counts live in the shared cache; start every test from zero."""
    from django.core.cache import cache

    cache.clear()
