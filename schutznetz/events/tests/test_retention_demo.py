"""Retention erasure keeps the counts; the demo Fachtag loads once."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from schutznetz.accounts import demo as accounts_demo
from schutznetz.events import demo as events_demo
from schutznetz.events import queries, services
from schutznetz.events.models import Event, EventStatistic, ItemKind, Registration
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db


def _past_event(make_event, days_ago):
    event = make_event(capacity=10)
    start = timezone.now() - timedelta(days=days_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=8))
    event.refresh_from_db()
    return event


def test_erasure_after_retention_days_keeps_counts(make_event, koordination, settings):
    settings.SCHUTZNETZ_EVENT_RETENTION_DAYS = 90
    event = make_event(capacity=10)
    registrations = [
        services.confirm(services.register(event.pk, **registration_data(n, profession=p)).registration.pk)
        for n, p in enumerate(["polizei", "polizei", "beratung"])
    ]
    services.register(event.pk, **registration_data(9, profession="justiz"))  # never confirmed
    services.check_in(koordination, event, registration_id=registrations[0].pk)
    services.check_in(koordination, event, registration_id=registrations[2].pk)
    recent = _past_event(make_event, days_ago=10)
    services_register_past = Registration.objects.filter(event=recent).count()
    start = timezone.now() - timedelta(days=100)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=8))

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "events.participants: 1" in out.getvalue()
    assert Registration.objects.filter(event=event).count() == 4

    call_command("apply_retention", stdout=io.StringIO())
    event.refresh_from_db()
    assert event.personal_data_erased_at is not None
    assert not Registration.objects.filter(event=event).exists()
    stats = {s.profession: (s.registered, s.attended) for s in EventStatistic.objects.filter(event=event)}
    assert stats == {"polizei": (2, 1), "beratung": (1, 1), "justiz": (0, 0)}
    assert queries.counts_by_profession(event) == stats
    # The recent event is untouched, and a second run changes nothing.
    assert Registration.objects.filter(event=recent).count() == services_register_past
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "events.participants: 0" in out.getvalue()


def test_registration_closed_after_erasure(make_event):
    event = _past_event(make_event, days_ago=100)
    services.erase_participants(event)
    assert not event.registration_is_open()


def _load_demo():
    out = io.StringIO()
    accounts_demo.load(out)
    events_demo.load(out)


def test_demo_fachtag_loads_once():
    _load_demo()
    event = Event.objects.get(slug="fachtag-sexualisierte-gewalt")
    local_start = timezone.localtime(event.starts_at)
    assert (local_start.hour, timezone.localtime(event.ends_at).hour) == (9, 17)
    assert "Südwestfalen" in event.venue_name and event.venue_city == "Soest" and event.is_free
    kinds = set(event.programme.values_list("kind", flat=True))
    assert {ItemKind.TALK, ItemKind.PANEL, ItemKind.WORKSHOP, ItemKind.BREAK} <= kinds
    assert event.programme.filter(kind=ItemKind.WORKSHOP, capacity__isnull=False).count() == 3
    counts = (Event.objects.count(), Registration.objects.count(), event.programme.count())
    _load_demo()
    assert (Event.objects.count(), Registration.objects.count(), event.programme.count()) == counts
