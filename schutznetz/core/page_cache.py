"""Staff pages kept per sign-in for a short time, while nothing in the database changed.

The case list and the start page are the pages staff open most, often several times in a minute
(back from a case to the list). Rendering them again costs ten times a cheap request; serving the
same page again costs the sign-in check and the access log. A page is served from here only if all
of these are the same as when it was rendered:

- the sign-in: user, session and CSRF secret (the page carries form tokens made from it);
- the address with its query, the language, htmx's request headers and the local date;
- the database: its change version (``core.data_version``), read with the request's session, is
  the one read before the page was rendered, so no case, person, consent, role, organisation or
  anything else a page can show has changed in any process since;
- and it is at most ``SCHUTZNETZ_PAGE_CACHE_SECONDS`` old, which bounds what changes by the clock
  alone (a deadline that becomes overdue at midnight is covered by the date).

What the page read is logged again on every serving, exactly as rendering logged it, so the access
log and the Art. 15 report do not see a difference. Pages with messages, and pages that changed the
session or set cookies, are never kept; a page whose rendering wrote anything is never served again
(the write moved the version).

Where: in this worker's memory only, never in a shared cache or on disk, because the pages hold
decrypted names. Signing out drops the session's pages in this worker; elsewhere they expire unused
(their key needs the ended session).
"""

import functools
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.utils import timezone

from schutznetz.core import access_log, data_version

_lock = threading.Lock()
_pages = OrderedDict()  # key without version → _Page, least recently used first


class _Page:
    __slots__ = ("content", "csrf_renewed", "date", "expires", "headers", "reads", "version")

    def __init__(self, response, reads, csrf_renewed, version, date, expires):
        self.content = response.content
        self.headers = list(response.items())
        self.reads = reads
        self.csrf_renewed = csrf_renewed
        self.version = version
        self.date = date
        self.expires = expires

    def response(self):
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


def per_sign_in(view):
    """Serve ``view``'s page again while nothing changed (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        today, now = timezone.localdate(), time.monotonic()
        version = _version(request)
        with _lock:
            page = _pages.get(key)
            if page is not None and (page.date != today or page.expires <= now or page.version != version):
                del _pages[key]
                page = None
            elif page is not None:
                _pages.move_to_end(key)
        if page is not None:
            access_log.write_reads(request.user, page.reads)
            if page.csrf_renewed:
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
            return page.response()

        with access_log.recording() as reads:
            response = view(request, *args, **kwargs)
        # Kept under the version read before rendering: a change during or after it moves the
        # version, and the page is not served again.
        if _keepable(request, response):
            csrf_renewed = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            expires = now + settings.SCHUTZNETZ_PAGE_CACHE_SECONDS
            page = _Page(response, reads, csrf_renewed, version, today, expires)
            with _lock:
                _pages[key] = page
                _pages.move_to_end(key)
                while len(_pages) > settings.SCHUTZNETZ_PAGE_CACHE_PAGES:
                    _pages.popitem(last=False)
        return response

    return wrapper


def _key(request):
    """What the page depends on besides the database and the date; None: do not cache."""
    if not settings.SCHUTZNETZ_PAGE_CACHE_SECONDS or request.method != "GET":
        return None
    user = request.user
    session_key = request.session.session_key
    # The CSRF secret the browser's cookie holds (CsrfViewMiddleware puts a valid one here): the
    # page's form tokens are made from it. Without one, the page would carry a token of a secret
    # the browser only receives with this response.
    csrf_secret = request.META.get("CSRF_COOKIE")
    if not user.is_authenticated or not session_key or not csrf_secret or len(get_messages(request)):
        return None
    return (
        request.resolver_match.view_name if request.resolver_match else request.path,
        user.pk,
        session_key,
        csrf_secret,
        getattr(request, "LANGUAGE_CODE", None),
        request.get_full_path(),
        request.headers.get("HX-Request"),
        request.headers.get("HX-Target"),
        request.headers.get("HX-Boosted"),
    )


def _version(request):
    """The database's change version as of this request: read with its session (no query of its
    own, ``accounts.sessions``), or now."""
    version = getattr(request.session, "data_version", None)
    return version if version is not None else data_version.current(DEFAULT_DB_ALIAS)


def _keepable(request, response):
    # Not inside an open transaction: its later writes would not move the version (PostgreSQL notes
    # one change per transaction), and a rollback would leave a page of data that never existed.
    return (
        not connections[DEFAULT_DB_ALIAS].in_atomic_block
        and type(response) is HttpResponse  # rendered, not streamed, not a template response
        and response.status_code == 200
        and not response.cookies
        and not request.session.modified
    )


def clear(session_key=None):
    """Forget every page, or those of one session."""
    with _lock:
        if session_key is None:
            _pages.clear()
        else:
            for key in [key for key in _pages if key[2] == session_key]:
                del _pages[key]


def _signed_out(sender, request, user, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        clear(request.session.session_key)


def _settings_changed(**kwargs):
    # Tests change settings between requests; pages rendered under other settings must go.
    clear()


def connect_signals():
    user_logged_out.connect(_signed_out, dispatch_uid="schutznetz.page_cache.signed_out")
    setting_changed.connect(_settings_changed, dispatch_uid="schutznetz.page_cache.settings")
