"""Rate limits of the public registration form, per client address, event and hour.

Two limits, so that typos never use up an office's allowance:

- every submission, valid or not (``SCHUTZNETZ_EVENT_SUBMISSION_RATE``, default three times the
  registration limit, so 300): stops bots and anyone probing the form;
- successful registrations (``SCHUTZNETZ_EVENT_REGISTRATION_RATE``, default 100; ``0`` switches
  both limits off unless the submission limit is set on its own): generous enough
  for a whole office behind one NAT address (a Jugendamt with 40 staff, or a municipal network
  whose offices share one exit address).

The counters are ``core.ratelimit``'s: exact across gunicorn workers on SQLite and PostgreSQL,
the client only as a keyed HMAC of event and address, deleted by ``apply_retention`` once their
hour has ended. The windows are clock hours, so a refusal can say exactly from when on the form
is accepted again. Counters are operational data like cache entries, not business records: they
are not audited (a bot would otherwise flood the audit chain).
"""

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from schutznetz.core import ratelimit

WINDOW = timedelta(hours=1)
SUBMISSIONS = "submission"
REGISTRATIONS = "registration"
REGISTRATION_DEFAULT = 100
# Unless set, the limit for all submissions is three times the registration limit, so that
# SCHUTZNETZ_EVENT_REGISTRATION_RATE=0 still switches the whole rate limit off.
SUBMISSIONS_PER_REGISTRATION = 3
SETTINGS = {
    SUBMISSIONS: "SCHUTZNETZ_EVENT_SUBMISSION_RATE",
    REGISTRATIONS: "SCHUTZNETZ_EVENT_REGISTRATION_RATE",
}


def _setting(name):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return None if value in (None, "") else int(value)


def limit(kind):
    """The limit per address, event and hour for ``kind`` (0 = no limit)."""
    registrations = _setting(SETTINGS[REGISTRATIONS])
    if registrations is None:
        registrations = REGISTRATION_DEFAULT
    if kind == REGISTRATIONS:
        return registrations
    submissions = _setting(SETTINGS[SUBMISSIONS])
    return registrations * SUBMISSIONS_PER_REGISTRATION if submissions is None else submissions


def _scope(kind):
    return f"event-{kind}"


def _client(event_id, client):
    return f"{event_id}:{client}"


@dataclass(frozen=True)
class Refusal:
    """The form is not accepted from this address until ``retry_at``."""

    retry_at: datetime

    def retry_after_seconds(self, now=None):
        return max(1, int((self.retry_at - (now or timezone.now())).total_seconds()))


def count_submission(event_id, client, now=None):
    """Count one submission of the form; a Refusal once the address sent too many this hour."""
    allowed = limit(SUBMISSIONS)
    if allowed <= 0:
        return None
    seconds = int(WINDOW.total_seconds())
    if ratelimit.add(_scope(SUBMISSIONS), _client(event_id, client), seconds, 1, now) > allowed:
        return Refusal(ratelimit.window_end(seconds, now))
    return None


@dataclass(frozen=True)
class Reservation:
    """One place in this hour's registration allowance, held while the registration is written."""

    client: str | None
    window_start: datetime | None

    def release(self):
        """The registration did not happen (invalid, or the database refused): give the place back."""
        if self.client is not None:
            ratelimit.add(
                _scope(REGISTRATIONS), self.client, int(WINDOW.total_seconds()), -1, self.window_start
            )


def reserve_registration(event_id, client, now=None):
    """Take one place of the address's registration allowance: a Reservation, or a Refusal."""
    allowed = limit(REGISTRATIONS)
    if allowed <= 0:
        return Reservation(None, None)
    seconds = int(WINDOW.total_seconds())
    start = ratelimit.window_start(seconds, now)
    key = _client(event_id, client)
    if ratelimit.add(_scope(REGISTRATIONS), key, seconds, 1, start) > allowed:
        ratelimit.add(_scope(REGISTRATIONS), key, seconds, -1, start)
        return Refusal(start + WINDOW)
    return Reservation(key, start)
