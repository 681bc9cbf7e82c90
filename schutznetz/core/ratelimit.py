"""Counting attempts per client or per object, for rate limits on public forms.

Counters are rows of ``RateCounter``, one per scope, keyed value and fixed window, changed by
atomic ``UPDATE … SET count = count + 1``. So they are exact across gunicorn workers on SQLite
and PostgreSQL, and a window lasts exactly as long as asked. (They used to live in the database
cache, whose ``incr`` reads, adds and writes back with the cache's default timeout: concurrent
attempts lost counts, and any window was cut to five minutes after the last attempt, so a
five-minute pause undid a lock-out.) The value — an address, a typed code — is stored only as
a keyed HMAC. Windows are fixed (aligned to the epoch), so a refusal can name the time from
which attempts count again.
"""

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from schutznetz.core.models import RateCounter


def client_address(request):
    """The client address as allauth's login limits see it (honours ALLAUTH_TRUSTED_PROXY_COUNT)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or ""
    except PermissionDenied:  # allauth refuses when the proxy headers do not add up
        return request.META.get("REMOTE_ADDR", "")


def _digest(scope, value):
    return salted_hmac("schutznetz.ratelimit", f"{scope}:{value}", algorithm="sha256").hexdigest()


def window_start(window_seconds, now=None):
    """The start of the window ``now`` falls in (UTC, the same for every worker)."""
    now = now or timezone.now()
    return datetime.fromtimestamp(int(now.timestamp()) // window_seconds * window_seconds, tz=UTC)


def window_end(window_seconds, now=None):
    """When the current window ends and attempts count afresh."""
    return window_start(window_seconds, now) + timedelta(seconds=window_seconds)


def add(scope, value, window_seconds, delta=1, now=None):
    """Add ``delta`` attempts in the current window and return the window's count (exact under
    concurrency: the UPDATE holds the row until the transaction ends)."""
    start = window_start(window_seconds, now)
    digest = _digest(scope, value)
    rows = RateCounter.objects.filter(scope=scope, digest=digest, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + delta) and delta > 0:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(
                        scope=scope,
                        digest=digest,
                        window_start=start,
                        window_end=start + timedelta(seconds=window_seconds),
                        count=delta,
                    )
            except IntegrityError:  # another worker created it a moment ago
                rows.update(count=F("count") + delta)
        return rows.values_list("count", flat=True).first() or 0


def count_attempt(scope, value, window_seconds, now=None):
    """Add one attempt and return how many there were in the current window."""
    return add(scope, value, window_seconds, 1, now)


def attempts(scope, value, window_seconds, now=None):
    """How many attempts the current window holds."""
    start = window_start(window_seconds, now)
    return (
        RateCounter.objects.filter(scope=scope, digest=_digest(scope, value), window_start=start)
        .values_list("count", flat=True)
        .first()
        or 0
    )


def reset(scope, value):
    RateCounter.objects.filter(scope=scope, digest=_digest(scope, value)).delete()


def ended_counters(now=None):
    """Counters whose window has ended (deleted by ``apply_retention``)."""
    return RateCounter.objects.filter(window_end__lte=now or timezone.now())
