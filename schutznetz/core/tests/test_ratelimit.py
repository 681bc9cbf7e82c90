"""Rate-limit counters: exact windows, exact counts, no address in the clear."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from schutznetz.core import ratelimit
from schutznetz.core.models import RateCounter
from schutznetz.core.retention import rules

T0 = datetime(2026, 11, 25, 10, 0, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_a_window_lasts_as_long_as_asked_not_the_caches_five_minutes():
    for _ in range(5):
        ratelimit.count_attempt("test-code", "K7QM-4XNP-R", 3600, now=T0)
    # A pause of ten minutes changes nothing (the cache's incr cut every window to 300 s).
    assert ratelimit.attempts("test-code", "K7QM-4XNP-R", 3600, now=T0 + timedelta(minutes=10)) == 5
    assert ratelimit.attempts("test-code", "K7QM-4XNP-R", 3600, now=T0 + timedelta(minutes=59)) == 5
    # The next window counts afresh, and says when it started.
    assert ratelimit.attempts("test-code", "K7QM-4XNP-R", 3600, now=T0 + timedelta(hours=1)) == 0
    assert ratelimit.window_end(3600, T0) == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_scopes_values_and_reset_are_separate():
    assert ratelimit.count_attempt("a", "x", 60, now=T0) == 1
    assert ratelimit.count_attempt("a", "x", 60, now=T0) == 2
    assert ratelimit.count_attempt("a", "y", 60, now=T0) == 1
    assert ratelimit.count_attempt("b", "x", 60, now=T0) == 1
    assert ratelimit.add("a", "x", 60, -1, now=T0) == 1
    ratelimit.reset("a", "x")
    assert ratelimit.attempts("a", "x", 60, now=T0) == 0
    assert ratelimit.attempts("a", "y", 60, now=T0) == 1


@pytest.mark.django_db
def test_the_value_is_stored_only_as_a_keyed_hash():
    ratelimit.count_attempt("test-client", "203.0.113.77", 3600, now=T0)
    row = RateCounter.objects.get()
    assert "203.0.113.77" not in f"{row.scope} {row.digest}"
    assert len(row.digest) == 64


@pytest.mark.django_db
def test_retention_deletes_counters_of_ended_windows_only():
    ratelimit.count_attempt("test", "old", 60, now=datetime.now(UTC) - timedelta(hours=2))
    ratelimit.count_attempt("test", "current", 3600, now=datetime.now(UTC))
    rule = next(rule for rule in rules() if rule.name == "core.rate_counters")
    assert rule.apply(rule.due()) == 1
    assert list(RateCounter.objects.values_list("count", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_all_counted():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    threads, per_thread = 8, 10

    def attempt():
        try:
            for _ in range(per_thread):
                ratelimit.count_attempt("test-race", "198.51.100.1", 3600, now=T0)
        finally:
            connection.close()

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert ratelimit.attempts("test-race", "198.51.100.1", 3600, now=T0) == threads * per_thread
