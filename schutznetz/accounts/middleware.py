"""Enforcing the second factor for roles that can see case or evidence content."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect

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


def mfa_missing(user):
    return (
        user is not None
        and user.is_authenticated
        and user.needs_mfa
        and not (user.is_demo and demo_logins_without_mfa())
        and not is_mfa_enabled(user)
    )


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        exempt = path.startswith(_ALLOWED_PREFIXES) and not path.startswith(_PROTECTED_PREFIXES)
        if not exempt and mfa_missing(getattr(request, "user", None)):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
