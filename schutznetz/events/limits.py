"""Rate limits of the public registration form, per client address, event and hour.

Two limits, so that typos never use up an office's allowance:

- every submission, valid or not (``SCHUTZNETZ_EVENT_SUBMISSION_RATE``, default three times the
  registration limit, so 300): stops bots and anyone probing the form;
- successful registrations (``SCHUTZNETZ_EVENT_REGISTRATION_RATE``, default 100; ``0`` switches
  both limits off unless the submission limit is set on its own): generous enough
  for a whole office behind one NAT address (a Jugendamt with 40 staff, or a municipal network
  whose offices share one exit address).

The counters live in a table, one row per kind, client and clock hour, changed by atomic
``UPDATE … SET count = count + 1``: exact across gunicorn workers on SQLite and PostgreSQL alike
(the cache's ``incr`` reads and writes back, so concurrent requests would lose counts).
The client is stored only as a keyed HMAC of event and address. The windows are clock hours,
so a refusal can say exactly from when on the form is accepted again. Counters are operational
data like cache entries, not business records: they are not audited (a bot would otherwise
flood the audit chain).
"""

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from schutznetz.events.models import SubmissionCounter

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


def window_start(now):
    """The start of the clock hour ``now`` falls in (UTC, so the same for every worker)."""
    return datetime.fromtimestamp(int(now.timestamp()) // 3600 * 3600, tz=UTC)


def _digest(event_id, client):
    return salted_hmac("schutznetz.events.limits", f"{event_id}:{client}").hexdigest()


@dataclass(frozen=True)
class Refusal:
    """The form is not accepted from this address until ``retry_at``."""

    retry_at: datetime

    def retry_after_seconds(self, now=None):
        return max(1, int((self.retry_at - (now or timezone.now())).total_seconds()))


def _add(kind, digest, start, delta):
    """Add ``delta`` to the counter and return its new value (exact under concurrency)."""
    rows = SubmissionCounter.objects.filter(kind=kind, digest=digest, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + delta) and delta > 0:
            try:
                with transaction.atomic():
                    SubmissionCounter.objects.create(
                        kind=kind, digest=digest, window_start=start, count=delta
                    )
            except IntegrityError:  # another worker created it a moment ago
                rows.update(count=F("count") + delta)
        # Our UPDATE holds the row until commit, so this is exactly our count.
        return rows.values_list("count", flat=True).first() or 0


def count_submission(event_id, client, now=None):
    """Count one submission of the form; a Refusal once the address sent too many this hour."""
    allowed = limit(SUBMISSIONS)
    if allowed <= 0:
        return None
    start = window_start(now or timezone.now())
    if _add(SUBMISSIONS, _digest(event_id, client), start, 1) > allowed:
        return Refusal(start + WINDOW)
    return None


@dataclass(frozen=True)
class Reservation:
    """One place in this hour's registration allowance, held while the registration is written."""

    digest: str | None
    window_start: datetime | None

    def release(self):
        """The registration did not happen (invalid, or the database refused): give the place back."""
        if self.digest is not None:
            _add(REGISTRATIONS, self.digest, self.window_start, -1)


def reserve_registration(event_id, client, now=None):
    """Take one place of the address's registration allowance: a Reservation, or a Refusal."""
    allowed = limit(REGISTRATIONS)
    if allowed <= 0:
        return Reservation(None, None)
    start = window_start(now or timezone.now())
    digest = _digest(event_id, client)
    if _add(REGISTRATIONS, digest, start, 1) > allowed:
        _add(REGISTRATIONS, digest, start, -1)
        return Refusal(start + WINDOW)
    return Reservation(digest, start)


def stale_counters(now=None):
    """Counters of windows that ended more than a day ago (deleted by ``apply_retention``)."""
    cutoff = (now or timezone.now()) - timedelta(days=1) - WINDOW
    return SubmissionCounter.objects.filter(window_start__lt=cutoff)
