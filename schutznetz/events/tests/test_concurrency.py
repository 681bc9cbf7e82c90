"""Many simultaneous registrations never overbook an event or a workshop.

Each thread has its own database connection. On PostgreSQL the event row lock
serialises them; on SQLite IMMEDIATE transactions and the busy timeout do.
"""

import threading
from collections import Counter

import pytest
from django.db import connection

from schutznetz.events import services
from schutznetz.events.models import ItemKind, Registration, Status
from schutznetz.events.tests.conftest import registration_data

THREADS = 24


def _run_concurrently(target, count):
    barrier = threading.Barrier(count)
    outcomes, errors = [], []
    lock = threading.Lock()

    def worker(number):
        try:
            barrier.wait()
            result = target(number)
            with lock:
                outcomes.append(result)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


@pytest.mark.django_db(transaction=True)
def test_no_overbooking_under_concurrent_registrations(make_event):
    event = make_event(capacity=7)

    def register(number):
        return services.register(event.pk, **registration_data(number)).outcome

    outcomes, errors = _run_concurrently(register, THREADS)
    assert errors == []
    assert Counter(outcomes) == {"place": 7, "waitlist": THREADS - 7}
    statuses = Counter(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == {Status.PENDING: 7, Status.WAITLIST: THREADS - 7}


@pytest.mark.django_db(transaction=True)
def test_no_overbooking_of_a_workshop(make_event):
    event = make_event(capacity=100, workshops=[5])
    workshop = event.programme.get(kind=ItemKind.WORKSHOP)

    def register(number):
        try:
            return services.register(
                event.pk, **registration_data(number, workshop_ids=[workshop.pk])
            ).outcome
        except services.ValidationError:
            return "workshop full"

    outcomes, errors = _run_concurrently(register, THREADS)
    assert errors == []
    assert Counter(outcomes) == {"place": 5, "workshop full": THREADS - 5}
    assert workshop.registrations.count() == 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_person_once(make_event):
    event = make_event(capacity=6)
    holders = [
        services.confirm(services.register(event.pk, **registration_data(n)).registration.pk)
        for n in range(6)
    ]
    waiting = [
        services.confirm(services.register(event.pk, **registration_data(100 + n)).registration.pk)
        for n in range(10)
    ]
    assert all(w.status == Status.WAITLIST for w in waiting)

    outcomes, errors = _run_concurrently(lambda n: len(services.cancel(holders[n].pk)[1]), 6)
    assert errors == []
    assert sum(outcomes) == 6
    assert Registration.objects.filter(event=event, status=Status.CONFIRMED).count() == 6
    promoted = set(
        Registration.objects.filter(event=event, status=Status.CONFIRMED).values_list("pk", flat=True)
    )
    assert promoted == {w.pk for w in waiting[:6]}  # in the order of the list
