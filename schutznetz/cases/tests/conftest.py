import datetime

import pytest

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.cases import services
from schutznetz.cases.models import Category, LegalBasisKind, PersonRole, Section
from schutznetz.testing.factories import make_organisation, make_user


class World:
    """Organisations and users of a small network for the case tests."""


@pytest.fixture
def region(db):
    """The directory's towns and municipalities (loaded by its migration 0003). Transactional tests (the
    browser tests) flush every table after each test, so a later one finds none: load them again."""
    from schutznetz.directory.models import Municipality
    from schutznetz.directory.regions import (
        DEFAULT_REGION_FILE,
        DEFAULT_REGION_NAME,
        parse_region_csv,
        region_slug,
    )

    if not Municipality.objects.exists():
        Municipality.objects.bulk_create(
            Municipality(
                region=DEFAULT_REGION_NAME, name=row.name, slug=region_slug(row.name), kind=row.kind,
                population=row.population, latitude=row.lat, longitude=row.lon, postcodes=row.postcodes,
            )
            for row in parse_region_csv(DEFAULT_REGION_FILE.read_text(encoding="utf-8"))
        )  # fmt: skip
    return sorted(Municipality.objects.values_list("name", flat=True))


@pytest.fixture
def world(db, region):
    w = World()
    w.police = make_organisation("Polizei Test", kind=OrganisationKind.POLIZEI)
    w.beratung = make_organisation("Frauenberatung Test", kind=OrganisationKind.BERATUNGSSTELLE)
    w.jugendamt = make_organisation("Jugendamt Test", kind=OrganisationKind.JUGENDAMT)
    w.gericht = make_organisation("Familiengericht Test", kind=OrganisationKind.FAMILIENGERICHT)
    w.koord_org = make_organisation("Koordination Test", kind=OrganisationKind.KOORDINATION)
    w.polizist = make_user("polizist", w.police, email="polizist@example.org")
    w.beraterin = make_user("beraterin", w.beratung, email="beraterin@example.org")
    w.jugendamt_fk = make_user("jugendamt-fk", w.jugendamt, email="ja@example.org")
    w.richterin = make_user("richterin", w.gericht, email="gericht@example.org")
    w.moderation = make_user("moderation", w.jugendamt, roles=(Role.MODERATION,), email="mod@example.org")
    w.koordination = make_user("koordination", w.koord_org, roles=(Role.KOORDINATION,))
    w.datenschutz = make_user("datenschutz", w.koord_org, roles=(Role.DATENSCHUTZ,))
    w.anbieter = make_user("anbieter", w.beratung, roles=(Role.ANBIETER,))
    return w


ANNA = {
    "role": PersonRole.AT_RISK,
    "first_name": "Anna",
    "last_name": "Müller",
    "date_of_birth": datetime.date(1990, 4, 12),
    "phone": "0151 000000",
    "phone_safe_to_call": False,
    "address": "Musterweg 1, 59494 Soest",
}


@pytest.fixture
def police_case(world):
    """A case the police brought, with Anna Müller and a child."""
    case, _notices = services.create_case(
        world.polizist,
        category=Category.HAEUSLICHE_GEWALT,
        municipality="Soest",
        persons=[ANNA, {"role": PersonRole.CHILD, "first_name": "Ben", "last_name": "Müller", "age": 6,
                        "school_or_kita": "Kita Sonnenschein"}],
    )  # fmt: skip
    return case


@pytest.fixture
def shared_with_beratung(world, police_case):
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    return police_case


@pytest.fixture
def seeing_chair(world):
    """Fachkraft and Moderation of the Jugendamt (the chair organisation of the tests' conferences): as a
    Fachkraft it sees the cases the Jugendamt takes part in, so it may put them on an agenda itself."""
    return make_user(
        "moderation-fachkraft",
        world.jugendamt,
        roles=(Role.FACHKRAFT, Role.MODERATION),
        email="mf@example.org",
    )
