"""Browser tests (Playwright, Debian's Chromium): TOTP login, accessibility, quick exit."""

import base64
import hashlib
import hmac
import re
import struct
import time
import urllib.request

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from schutznetz.accounts.models import Role
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_server(live_server):
    """The live server after its first, slow request (URLconf and templates load on a busy machine)."""
    urllib.request.urlopen(live_server.url + "/konto/login/", timeout=120).read()  # noqa: S310
    return live_server


def totp_code(secret, at=None, digits=6, period=30):
    """RFC 6238 TOTP (HMAC-SHA1), computed independently of allauth."""
    counter = int((at or time.time()) // period)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def fresh_totp_code(secret, period=30, margin=3):
    """A code that stays valid while the test submits it: when the current 30-second window has
    less than ``margin`` seconds left, wait for the next one (at most ``margin`` seconds). Without
    this, a window boundary between computing and checking the code fails the test at random."""
    left = period - time.time() % period
    if left < margin:
        time.sleep(left + 0.05)
    return totp_code(secret, period=period)


def test_login_with_password_and_totp_reaches_staff_start_page(live_server, browser_page):
    user = make_user(username="fachkraft-mfa", roles=[Role.FACHKRAFT], demo=False)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    page = browser_page
    page.goto(live_server.url + "/konto/login/")
    page.get_by_label("Anmeldename").fill("fachkraft-mfa")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/konto/2fa/authenticate/")
    page.get_by_label("Code").fill(fresh_totp_code(secret))
    page.get_by_role("button", name=re.compile("^Anmeld")).click()
    page.wait_for_url(live_server.url + "/intern/")
    assert page.get_by_role("button", name="Abmelden").is_visible()


def test_axe_public_start_page(live_server, browser_page):
    browser_page.goto(live_server.url + "/")
    assert_no_axe_violations(browser_page)


def test_axe_login_page(live_server, browser_page):
    browser_page.goto(live_server.url + "/konto/login/")
    assert_no_axe_violations(browser_page)


def test_quick_exit_button(live_server, browser_page, settings):
    settings.SCHUTZNETZ_EXIT_URL = live_server.url + "/healthz"
    browser_page.goto(live_server.url + "/")
    with browser_page.expect_request(lambda request: request.url.endswith("/exit/")):
        browser_page.get_by_role("link", name="Seite schnell verlassen").click()
    browser_page.wait_for_url(live_server.url + "/healthz")


def test_quick_exit_by_pressing_shift_three_times(live_server, browser_page, settings):
    settings.SCHUTZNETZ_EXIT_URL = live_server.url + "/healthz"
    browser_page.goto(live_server.url + "/")
    entries = browser_page.evaluate("() => history.length")
    with browser_page.expect_request(lambda request: request.url.endswith("/exit/")):
        for _ in range(3):
            browser_page.keyboard.press("Shift")
    browser_page.wait_for_url(live_server.url + "/healthz")
    # location.replace: the help page is not left in the back history.
    assert browser_page.evaluate("() => history.length") == entries


def test_two_shift_presses_do_not_leave(live_server, browser_page):
    browser_page.goto(live_server.url + "/")
    browser_page.keyboard.press("Shift")
    browser_page.keyboard.press("Shift")
    browser_page.keyboard.press("a")
    assert browser_page.url == live_server.url + "/"


def test_quick_exit_works_without_javascript(live_server, chromium_browser, settings):
    from schutznetz.testing.browser import new_context

    settings.SCHUTZNETZ_EXIT_URL = live_server.url + "/healthz"
    context = new_context(chromium_browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Seite schnell verlassen").click()
        page.wait_for_url(live_server.url + "/healthz")
    finally:
        context.close()


def test_typing_capital_letters_does_not_leave(live_server, browser_page, settings):
    """Each capital letter is typed with Shift: "Frauenhaus Soest Hilfe" holds three Shift
    presses within five seconds, and must not throw a person out of her search."""
    settings.SCHUTZNETZ_EXIT_URL = live_server.url + "/healthz"
    browser_page.goto(live_server.url + "/hilfe/")
    browser_page.get_by_label("Suchbegriff").click()
    for letter in "FSH":
        browser_page.keyboard.press(f"Shift+{letter}")
    # Still the same page (after a quick exit the field would be gone).
    assert browser_page.get_by_label("Suchbegriff").input_value(timeout=5000) == "FSH"
    assert browser_page.url == live_server.url + "/hilfe/"
    # Shift alone three times still leaves, also from inside the field.
    with browser_page.expect_request(lambda request: request.url.endswith("/exit/")):
        for _ in range(3):
            browser_page.keyboard.press("Shift")
