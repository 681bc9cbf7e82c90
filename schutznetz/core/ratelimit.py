"""Counting attempts per client or per object, for rate limits on public forms.

Counters live in Django's cache (the database cache, shared by all workers).
Keys are keyed HMACs, so neither a visitor's address nor a typed code is
stored in the cache table in the clear.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.crypto import salted_hmac


def client_address(request):
    """The client address as allauth's login limits see it (honours ALLAUTH_TRUSTED_PROXY_COUNT)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or ""
    except PermissionDenied:  # allauth refuses when the proxy headers do not add up
        return request.META.get("REMOTE_ADDR", "")


def counter_key(scope, value):
    digest = salted_hmac("schutznetz.ratelimit", f"{scope}:{value}").hexdigest()
    return f"ratelimit:{scope}:{digest}"


def count_attempt(scope, value, window_seconds):
    """Add one attempt and return how many there were in the current window."""
    key = counter_key(scope, value)
    cache.add(key, 0, window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def attempts(scope, value):
    return cache.get(counter_key(scope, value)) or 0


def reset(scope, value):
    cache.delete(counter_key(scope, value))
