"""The two limits of the public registration form: all submissions, and successful registrations.

An office behind one NAT address (a Jugendamt with 40 staff registering for a Fachtag) must not
lose its registration allowance to typos; bots and probing still meet a limit.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from schutznetz.core.models import RateCounter
from schutznetz.events import limits
from schutznetz.events.models import Registration
from schutznetz.events.tests.conftest import registration_data
from schutznetz.events.tests.test_concurrency import _run_concurrently

pytestmark = pytest.mark.django_db


def form_data(number, **extra):
    data = registration_data(number, **extra)
    data["privacy_consent"] = "on"
    return data


def typo(number):
    return form_data(number, email=f"person{number}example.org")  # the @ forgotten


@pytest.fixture
def limited(settings):
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 3
    settings.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 10
    return settings


def test_typos_do_not_use_up_the_registration_allowance(client, event, limited):
    event.capacity = 50
    event.save()
    for number in range(6):
        response = client.post(event.get_absolute_url(), typo(number))
        assert response.status_code == 400 and "E-Mail-Adresse:" in response.content.decode()
    statuses = [client.post(event.get_absolute_url(), form_data(n)).status_code for n in range(3)]
    assert statuses == [303, 303, 303]
    assert Registration.objects.count() == 3
    # The fourth registration from the same address in this hour is refused, and nothing stored.
    response = client.post(event.get_absolute_url(), form_data(99))
    assert response.status_code == 429
    assert Registration.objects.count() == 3


def test_all_submissions_have_their_own_limit(client, event, settings):
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 100
    settings.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 4
    statuses = [client.post(event.get_absolute_url(), typo(n)).status_code for n in range(4)]
    assert statuses == [400, 400, 400, 400]
    # A bot (or a probe) sending more forms meets the limit, even with a valid one.
    response = client.post(event.get_absolute_url(), form_data(1))
    assert response.status_code == 429
    assert not Registration.objects.exists()
    assert 0 < int(response["Retry-After"]) <= 3600


def test_defaults_let_a_whole_office_register(client, event):
    # Without settings: 40 colleagues, each with one typo first, all get through.
    event.capacity = 200
    event.save()
    for number in range(40):
        assert client.post(event.get_absolute_url(), typo(number)).status_code == 400
        assert client.post(event.get_absolute_url(), form_data(number)).status_code == 303
    assert Registration.objects.count() == 40
    assert limits.limit(limits.REGISTRATIONS) >= 40 and limits.limit(limits.SUBMISSIONS) > 80


def test_refusal_says_when_and_whom_and_keeps_the_form(client, event, limited, mailoutbox):
    event.capacity = 50
    event.save()
    for number in range(3):
        client.post(event.get_absolute_url(), form_data(number))
    response = client.post(event.get_absolute_url(), form_data(7, name="Maria Nachzüglerin"))
    assert response.status_code == 429
    html = response.content.decode()
    alert = re.search(
        r'<div class="kern-alert kern-alert--warning" role="alert".*?</div>\s*</div>', html, re.S
    )
    assert alert, "the refusal is announced"
    text = alert.group(0)
    # When to try again: the next full hour, local time.
    assert re.search(r"ab \d\d:00 Uhr", text)
    assert "fachtag@example.org" in text
    # Nothing about other people's registrations: no names, no counts.
    assert "Person 0" not in html and "Person 1" not in html
    assert not re.search(r"\b3\b", text)
    # The form keeps what the person typed, to send it again later.
    assert 'value="Maria Nachzüglerin"' in html
    assert not response.cookies
    assert len(mailoutbox) == 3


def test_refusal_without_contact_address_names_the_organiser(client, make_event, settings):
    settings.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 1
    event = make_event()
    event.contact_email = ""
    event.save()
    client.post(event.get_absolute_url(), typo(1))
    response = client.post(event.get_absolute_url(), typo(2))
    assert response.status_code == 429
    assert "wenden Sie sich bitte an Koordinierungsstelle Test" in response.content.decode()


def test_limits_are_per_address_and_event(client, event, make_event, limited):
    limited.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 2
    for number in range(2):
        client.post(event.get_absolute_url(), typo(number))
    assert client.post(event.get_absolute_url(), form_data(1)).status_code == 429
    # Another address, and another event from the same address, are not affected.
    assert client.post(event.get_absolute_url(), form_data(2), REMOTE_ADDR="192.0.2.7").status_code == 303
    other = make_event()
    assert client.post(other.get_absolute_url(), form_data(3)).status_code == 303
    # The address is not stored in the clear.
    digests = "".join(RateCounter.objects.values_list("digest", flat=True))
    assert "127.0.0.1" not in digests and "192.0.2.7" not in digests


def test_a_registration_the_service_refuses_gives_its_place_back(client, make_event, settings):
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 1
    event = make_event(capacity=5, workshops=[1])
    workshop = event.programme.get(title="Workshop A")
    client.post(event.get_absolute_url(), form_data(1, workshops=[str(workshop.pk)]), REMOTE_ADDR="192.0.2.1")
    # The workshop is now full: the service refuses, the form is valid.
    response = client.post(event.get_absolute_url(), form_data(2, workshops=[str(workshop.pk)]))
    assert response.status_code == 400 and "ausgebucht" in response.content.decode()
    assert client.post(event.get_absolute_url(), form_data(2)).status_code == 303


def test_the_next_hour_starts_afresh(event, settings):
    settings.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 2
    ten_past = datetime(2026, 11, 25, 9, 10, tzinfo=UTC)
    assert limits.count_submission(event.pk, "198.51.100.1", now=ten_past) is None
    assert limits.count_submission(event.pk, "198.51.100.1", now=ten_past + timedelta(minutes=40)) is None
    refusal = limits.count_submission(event.pk, "198.51.100.1", now=ten_past + timedelta(minutes=45))
    assert refusal.retry_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert refusal.retry_after_seconds(now=ten_past + timedelta(minutes=45)) == 5 * 60
    assert limits.count_submission(event.pk, "198.51.100.1", now=ten_past + timedelta(minutes=50)) is None


def test_zero_switches_both_limits_off(client, event, settings):
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 0
    settings.SCHUTZNETZ_EVENT_SUBMISSION_RATE = 0
    for number in range(3):
        client.post(event.get_absolute_url(), typo(number))
    assert client.post(event.get_absolute_url(), form_data(1)).status_code == 303
    assert not RateCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_counters_are_exact_under_concurrent_requests(make_event, settings):
    """Across workers (threads with their own connections here) no count is lost, so exactly the
    allowance gets through: the cache's read-and-write-back ``incr`` could not promise that."""
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 5
    event = make_event()
    threads = 16 if connection.vendor == "postgresql" else 8

    def reserve(_number):
        return type(limits.reserve_registration(event.pk, "203.0.113.9")).__name__

    outcomes, errors = _run_concurrently(reserve, threads)
    assert errors == []
    assert sorted(outcomes) == ["Refusal"] * (threads - 5) + ["Reservation"] * 5
    assert RateCounter.objects.get(scope="event-registration").count == 5


def test_submission_limit_follows_the_registration_limit_unless_set(settings, monkeypatch):
    monkeypatch.delenv("SCHUTZNETZ_EVENT_REGISTRATION_RATE", raising=False)
    monkeypatch.delenv("SCHUTZNETZ_EVENT_SUBMISSION_RATE", raising=False)
    assert (limits.limit(limits.REGISTRATIONS), limits.limit(limits.SUBMISSIONS)) == (100, 300)
    settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE = 20
    assert limits.limit(limits.SUBMISSIONS) == 60
    # The benchmarks and the drill switch the limit off with the registration setting alone.
    monkeypatch.setenv("SCHUTZNETZ_EVENT_REGISTRATION_RATE", "0")
    del settings.SCHUTZNETZ_EVENT_REGISTRATION_RATE
    assert (limits.limit(limits.REGISTRATIONS), limits.limit(limits.SUBMISSIONS)) == (0, 0)
    monkeypatch.setenv("SCHUTZNETZ_EVENT_SUBMISSION_RATE", "500")
    assert limits.limit(limits.SUBMISSIONS) == 500
