"""Enforcing the second factor, and the idle timeout and maximum lifetime of a signed-in session."""

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from schutznetz.accounts.backends import session_data_version

# Paths a user without a second factor may still reach: signing in and out,
# setting up a factor, static files and the public side. User management under
# /konto/benutzer/ is not among them.
_ALLOWED_PREFIXES = ("/konto/", "/en/konto/", "/static/", "/exit/", "/healthz")
_PROTECTED_PREFIXES = ("/konto/benutzer/", "/en/konto/benutzer/")


def demo_logins_without_mfa():
    """Demo logins skip the second factor only in development (SCHUTZNETZ_DEBUG=1).

    A setting of its own rather than ``settings.DEBUG`` because the test runner
    switches DEBUG off while the process still runs in development mode.
    """
    return getattr(settings, "SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA", settings.DEBUG)


def signed_in_with_second_factor(request, user):
    """Whether this session's sign-in of ``user`` completed a second factor (allauth records
    each step of a sign-in in the session)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def mfa_missing(user, request=None):
    return (
        user is not None
        and user.is_authenticated
        and user.needs_mfa
        and not (user.is_demo and demo_logins_without_mfa())
        # A session signed in with a second factor has one: no query on every request.
        and not (request is not None and signed_in_with_second_factor(request, user))
        and not is_mfa_enabled(user)
    )


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        exempt = path.startswith(_ALLOWED_PREFIXES) and not path.startswith(_PROTECTED_PREFIXES)
        if not exempt and mfa_missing(getattr(request, "user", None), request):
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def renew_interval():
    """Seconds between two renewals of a used session (a setting so that tests can shorten it)."""
    return getattr(settings, "SCHUTZNETZ_SESSION_RENEW_SECONDS", 60)


def skip_session_renewal(request):
    """Mark a request that looks at the session without counting as activity (the timeout check)."""
    request.session_renewal_skipped = True


def session_seconds_left(session, *, renewing=True):
    """Seconds until the idle timeout ends ``session``, as of the end of this request.

    The renewal stamp is the time of the session's last save (the middleware stamps every save),
    and the database row expires ``SESSION_COOKIE_AGE`` after it. ``renewing`` says whether this
    request counts as activity, i.e. will renew a stamp older than the renewal interval.
    """
    now = int(time.time())
    idle = now - session.get(SessionRenewalMiddleware.KEY, 0)
    if renewing and (idle >= renew_interval() or session.modified):
        idle = 0
    return max(0, settings.SESSION_COOKIE_AGE - idle)


class SessionRenewalMiddleware:
    """Keeps a session alive while it is used, writing it at most once a minute.

    A session ends ``SESSION_COOKIE_AGE`` (30 minutes) after it was last saved. Saving it on
    every request (``SESSION_SAVE_EVERY_REQUEST``) meant a database write on every staff page;
    renewing only when the last renewal is more than a minute old keeps the idle timeout
    exact to the minute without it. Sits right after Django's SessionMiddleware, which saves
    the renewed session on the way out. Every save is stamped, so that the stamp tells when the
    session ends (``session_seconds_left``).
    """

    KEY = "_schutznetz_renewed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request used, and not on an error page: a database that just failed
        # would fail the renewal again (and the session may never have loaded).
        if session is not None and session.accessed and response.status_code < 500 and not session.is_empty():
            now = int(time.time())
            due = not getattr(request, "session_renewal_skipped", False) and (
                now - session.get(self.KEY, 0) >= renew_interval()
            )
            if due or session.modified:
                session[self.KEY] = now
        return response


def session_max_seconds():
    """How long a sign-in lasts at most, however busy the session (ASVS 3.3.2: 12 hours)."""
    return getattr(settings, "SCHUTZNETZ_SESSION_MAX_SECONDS", 12 * 60 * 60)


SIGNED_IN_AT = "_schutznetz_signed_in_at"


def stamp_sign_in(sender, request, user, **kwargs):
    """``user_logged_in``: when this sign-in began (connected in ``apps.py``)."""
    request.session[SIGNED_IN_AT] = int(time.time())


class SessionLifetimeMiddleware:
    """Ends a sign-in ``session_max_seconds`` after it began, even while it is in use.

    The idle timeout ends a session left alone; this ends one that never rests, such as a case
    page left open on a shared screen that a colleague keeps clicking, and asks for the password
    and second factor again. Only a request that brings a session cookie loads the session here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if signed_in_at is not None and time.time() - signed_in_at > session_max_seconds():
                logout(request)
                messages.info(
                    request,
                    _(
                        "Ihre Anmeldung ist nach %(hours)s Stunden abgelaufen. Bitte melden Sie sich erneut an."
                    )
                    % {"hours": session_max_seconds() // 3600},
                )
        return self.get_response(request)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the database's change version read with the session passed on to the sign-in
    backend, which then needs no query for a user whose row has not changed (``accounts.backends``)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _signed_in_user(request))


def _signed_in_user(request):
    if not hasattr(request, "_cached_user"):  # the attribute Django's middleware and login() use
        request.session.get(auth.SESSION_KEY)  # loads the session, and with it the version
        token = session_data_version.set(getattr(request.session, "data_version", None))
        try:
            request._cached_user = auth.get_user(request)
        finally:
            session_data_version.reset(token)
    return request._cached_user
