"""allauth's MFA pages render inside our layout and need nothing the CSP forbids."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from schutznetz.accounts.models import Role
from schutznetz.testing.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S)


def assert_csp_clean(html):
    for attrs, body in SCRIPT.findall(html):
        if "src=" in attrs:
            src = re.search(r'src="([^"]+)"', attrs).group(1)
            assert src.startswith("/static/"), src
            assert not body.strip()
        else:
            # Only data blocks (JSON) may be inline; they are not executed.
            assert re.search(r'type="application/(ld\+)?json"', attrs), attrs
    assert not re.search(r"\son[a-z]+=", html), "Inline-Eventhandler"
    assert ' style="' not in html


@pytest.fixture
def signed_in(client):
    cache.clear()
    user = make_user(username="mfa-person", roles=[Role.FACHKRAFT], demo=False)
    response = client.post(reverse("account_login"), {"login": "mfa-person", "password": PASSWORD})
    assert response.status_code == 302
    return user


def test_login_page_in_our_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="sn-skip-link"' in html and "kern-form-input__input" in html
    assert "kern-btn kern-btn--primary" in html
    assert "signup" not in html
    assert_csp_clean(html)


def test_totp_activation_page(client, signed_in):
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert "kern-form-input__input" in html
    assert_csp_clean(html)


def test_totp_activation_with_a_code_enables_mfa(client, signed_in):
    from allauth.mfa.utils import is_mfa_enabled

    page = client.get(reverse("mfa_activate_totp"))
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    secret = secret or re.search(r'value="([A-Z2-7]{32})"', page.content.decode())
    from schutznetz.core.tests.test_browser import fresh_totp_code

    response = client.post(reverse("mfa_activate_totp"), {"code": fresh_totp_code(secret.group(1))})
    assert response.status_code == 302
    assert is_mfa_enabled(signed_in)
    assert client.get(reverse("core:staff_home")).status_code == 200


def test_mfa_pages_with_totp_enabled(client, signed_in):
    TOTP.activate(signed_in, generate_totp_secret())
    for name in ("mfa_index", "mfa_add_webauthn", "mfa_generate_recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code in (200, 302), name
        if response.status_code == 200:
            assert_csp_clean(response.content.decode())


def test_mfa_authenticate_stage_page(client):
    cache.clear()
    user = make_user(username="mit-totp", roles=[Role.FACHKRAFT], demo=False)
    TOTP.activate(user, generate_totp_secret())
    response = client.post(reverse("account_login"), {"login": "mit-totp", "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    html = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'name="code"' in html
    assert_csp_clean(html)
    # Not signed in yet: the staff start page still sends to the login.
    assert client.get(reverse("core:staff_home")).status_code == 302


def test_totp_secret_is_not_stored_in_plaintext(client, signed_in):
    from allauth.mfa.models import Authenticator

    secret = generate_totp_secret()
    TOTP.activate(signed_in, secret)
    stored = Authenticator.objects.get(user=signed_in, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored and stored.startswith("v1:")
    assert TOTP(Authenticator.objects.get(user=signed_in)).validate_code(
        __import__("schutznetz.core.tests.test_browser", fromlist=["fresh_totp_code"]).fresh_totp_code(secret)
    )


def test_rotate_keys_reencrypts_mfa_secrets(signed_in, settings):
    import base64
    from io import StringIO

    from allauth.mfa.models import Authenticator
    from django.core.management import call_command

    from schutznetz.accounts.adapter import MfaAdapter, reencrypt_authenticators
    from schutznetz.core import crypto
    from schutznetz.core.keys import new_binary_key

    secret = generate_totp_secret()
    TOTP.activate(signed_in, secret)
    old = settings.SCHUTZNETZ_FIELD_KEYS[0]
    new = base64.urlsafe_b64decode(new_binary_key())
    settings.SCHUTZNETZ_FIELD_KEYS = (new, old)
    assert reencrypt_authenticators() == 1
    stored = Authenticator.objects.get(user=signed_in).data["secret"]
    assert crypto.stored_key_id(stored) == crypto.key_id(new)
    settings.SCHUTZNETZ_FIELD_KEYS = (new,)
    assert MfaAdapter().decrypt(stored) == secret
    out = StringIO()
    call_command("rotate_keys", "accounts.User", stdout=out, stderr=StringIO())
    assert "Zweitfaktoren" not in out.getvalue()


def test_plaintext_secret_from_before_still_reads():
    from schutznetz.accounts.adapter import MfaAdapter

    assert MfaAdapter().decrypt("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP"
