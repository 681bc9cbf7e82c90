from datetime import timedelta

import pytest
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.events.models import Event, ItemKind, ProgrammeItem
from schutznetz.testing.factories import make_organisation, make_user


@pytest.fixture
def organiser(db):
    return make_organisation("Koordinierungsstelle Test")


@pytest.fixture
def make_event(organiser):
    counter = iter(range(1, 10_000))

    def build(capacity=2, days_ahead=30, workshops=(), **extra):
        number = next(counter)
        start = (timezone.now() + timedelta(days=days_ahead)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        event = Event.objects.create(
            title=extra.pop("title", f"Fachtag {number}"),
            slug=extra.pop("slug", f"fachtag-{number}"),
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            venue_name="Fachhochschule Südwestfalen",
            venue_street="Lübecker Ring 2",
            venue_postcode="59494",
            venue_city="Soest",
            organiser=organiser,
            contact_email="fachtag@example.org",
            capacity=capacity,
            is_published=extra.pop("is_published", True),
            **extra,
        )
        ProgrammeItem.objects.create(
            event=event, kind=ItemKind.BREAK, title="Mittagspause",
            starts_at=start + timedelta(hours=3, minutes=30), ends_at=start + timedelta(hours=4, minutes=15),
        )  # fmt: skip
        for index, workshop_capacity in enumerate(workshops):
            ProgrammeItem.objects.create(
                event=event, kind=ItemKind.WORKSHOP, title=f"Workshop {chr(65 + index)}",
                starts_at=start + timedelta(hours=5), ends_at=start + timedelta(hours=6, minutes=30),
                capacity=workshop_capacity, room=f"Raum {index + 1}",
            )  # fmt: skip
        return event

    return build


@pytest.fixture
def event(make_event):
    return make_event()


@pytest.fixture
def koordination(organiser):
    return make_user("koordination-test", organisation=organiser, roles=[Role.KOORDINATION])


def registration_data(number, **extra):
    data = {
        "name": f"Person {number}",
        "email": f"person{number}@example.org",
        "organisation_name": "Jugendamt",
        "profession": "jugendhilfe",
        "privacy_consent": True,
    }
    data.update(extra)
    return data
