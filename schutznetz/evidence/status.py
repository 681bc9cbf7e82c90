"""The public status look-up: code plus PIN, answered so that codes cannot be enumerated.

* A wrong code and a wrong PIN get the same answer, and the same work: the
  database is asked for the code in every case, and a PIN is always hashed,
  against a dummy hash when the code is unknown (as Django's login does).
* Rate limits in the shared (database) cache: per client address, and per
  code – after ``LOCK_AFTER`` wrong attempts a code is locked for a while,
  whether it exists or not, so the lock itself reveals nothing.
* Cache keys are keyed hashes: neither addresses nor codes appear in the cache.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from schutznetz.core import ratelimit
from schutznetz.core.access_log import log_access
from schutznetz.evidence import codes
from schutznetz.evidence.models import Kit

OK = "ok"
NO_MATCH = "no_match"
LOCKED = "locked"
THROTTLED = "throttled"

_dummy_hashes = {}


def limits():
    """(attempts per client per window, wrong attempts per code before lock, window seconds)."""
    return (
        getattr(settings, "SCHUTZNETZ_EVIDENCE_STATUS_CLIENT_LIMIT", 20),
        getattr(settings, "SCHUTZNETZ_EVIDENCE_STATUS_CODE_LOCK_AFTER", 5),
        getattr(settings, "SCHUTZNETZ_EVIDENCE_STATUS_WINDOW_SECONDS", 3600),
    )


def dummy_hash():
    """A hash made by the current default hasher, so checking against it costs what a real check costs."""
    key = repr(settings.PASSWORD_HASHERS[0])
    if key not in _dummy_hashes:
        _dummy_hashes[key] = make_password(secrets.token_hex(8))
    return _dummy_hashes[key]


@dataclass
class Lookup:
    outcome: str
    kit: Kit | None = None


def lookup(code_text, pin, client):
    client_limit, lock_after, window = limits()
    if ratelimit.count_attempt("evidence-status-client", client, window) > client_limit:
        return Lookup(THROTTLED)
    code = codes.normalise(code_text)
    code_value = code or (code_text or "").strip().upper()[:40]
    # Counted before the PIN is checked (a right PIN resets the count): concurrent guesses at one
    # code cannot slip past the lock between a read and a later count.
    if ratelimit.count_attempt("evidence-status-code", code_value, window) > lock_after:
        return Lookup(LOCKED)
    # The same query and the same hashing whether or not the code exists.
    kit = Kit.objects.filter(code=code or "-").select_related("programme").first()
    pin_ok = check_password(str(pin or "")[:32], kit.pin_hash if kit is not None else dummy_hash())
    if kit is not None and pin_ok:
        ratelimit.reset("evidence-status-code", code_value)
        log_access(None, kit, "public_status")
        return Lookup(OK, kit)
    return Lookup(NO_MATCH)
