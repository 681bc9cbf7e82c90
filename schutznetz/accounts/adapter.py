import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.utils import is_mfa_enabled
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.backends import organisation_is_active
from schutznetz.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # allauth's German says "du" and not how long; the lock-out is the one for every login
        # name (known or not), so it tells nothing about whether an account exists.
        "too_many_login_attempts": _(
            "Zu viele gescheiterte Anmeldeversuche. Bitte warten Sie bis zu 15 Minuten und versuchen Sie es dann erneut."
        ),
    }

    def pre_login(self, request, user, **kwargs):
        """Staff of an organisation switched off in the admin cannot sign in (the password
        alone gets them allauth's "account inactive" page, as for a deactivated user)."""
        if not organisation_is_active(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return self.respond_user_inactive(request, user)
        return super().pre_login(request, user, **kwargs)

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


MFA_CONTEXT = "mfa.authenticator"


class MfaAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted with the field keys.

    A database dump alone must not let anyone compute a second factor.
    Values written before this adapter existed (plaintext) still read back.
    """

    def encrypt(self, text):
        return crypto.encrypt(text, MFA_CONTEXT)

    def decrypt(self, encrypted_text):
        if crypto.stored_key_id(encrypted_text) is None:
            return encrypted_text
        return crypto.decrypt(encrypted_text, MFA_CONTEXT)


# Keys in Authenticator.data that hold secrets passed through encrypt().
MFA_SECRET_KEYS = ("secret", "seed")


def reencrypt_authenticators():
    """Re-encrypt every stored MFA secret under the active key (``rotate_keys``)."""
    from allauth.mfa.models import Authenticator

    adapter = MfaAdapter()
    count = 0
    for authenticator in Authenticator.objects.select_for_update().order_by("pk"):
        data = dict(authenticator.data)
        changed = False
        for key in MFA_SECRET_KEYS:
            if isinstance(data.get(key), str):
                data[key] = adapter.encrypt(adapter.decrypt(data[key]))
                changed = True
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [
                adapter.encrypt(adapter.decrypt(code)) for code in data["migrated_codes"]
            ]
            changed = True
        if changed:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
            count += 1
    return count
