"""Enforcing the second factor for roles that can see case or evidence content."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.shortcuts import redirect

# Paths a user without a second factor may still reach: setting one up,
# logging out, static files and the public side.
_ALLOWED_PREFIXES = ("/konto/", "/en/konto/", "/static/", "/exit/", "/healthz")


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_mfa
            and not (user.is_demo and settings.DEBUG)
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not is_mfa_enabled(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
