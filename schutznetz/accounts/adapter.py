import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.utils import is_mfa_enabled


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Staff join by invitation only (accounts.services.invite_user).
        return False

    def is_reauthentication_required(self, *, app, **kwargs):
        """Setting up the first factor right after signing in needs no second password prompt.

        Staff whose role requires MFA are sent to the TOTP setup straight after
        the login; asking for the password they typed seconds ago adds nothing.
        Once a factor exists, changes to it ask again as usual.
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = getattr(context, "request", None)
        if not required or app != "allauth.mfa" or request is None:
            return required
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or is_mfa_enabled(user):
            return required
        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "password":
            return time.time() - records[-1].get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT
        return required
