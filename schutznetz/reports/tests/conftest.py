import datetime as dt
import itertools

import pytest
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.testing.factories import make_organisation, make_user

_numbers = itertools.count(1)


def at(year, month, day, hour=12):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def make_case(org, created_at, **fields):
    from schutznetz.cases.models import Case

    defaults = {"category": "haeusliche_gewalt", "municipality": "Soest", "lead_organisation": org}
    defaults.update(fields)
    return Case.objects.create(
        number=f"T-{next(_numbers):06d}", bringing_organisation=org, created_at=created_at, **defaults
    )


@pytest.fixture
def orgs(db):
    return make_organisation("Frauenberatung Test"), make_organisation("Jugendamt Test")


@pytest.fixture
def koordination(db):
    return make_user(organisation=make_organisation("Koordination Test"), roles=[Role.KOORDINATION])


@pytest.fixture(autouse=True)
def german():
    """Requests to /en/ leave English active in the test thread; these tests read German labels."""
    from django.utils import translation

    with translation.override("de"):
        yield
