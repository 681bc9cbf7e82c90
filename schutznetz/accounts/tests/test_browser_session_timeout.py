"""In Chromium: the warning before the idle timeout appears, keeps the session on one click, and an
unattended page gives way to the login page when the session ends. Times are shortened by settings."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from schutznetz.accounts.models import Role
from schutznetz.testing.axe import assert_no_axe_violations
from schutznetz.testing.browser import log_in
from schutznetz.testing.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_warning_stay_signed_in_and_the_end(live_server, browser_page, settings):
    settings.SESSION_COOKIE_AGE = 12
    settings.SCHUTZNETZ_SESSION_WARNING_SECONDS = 8
    settings.SCHUTZNETZ_SESSION_RENEW_SECONDS = 1
    user = make_user(username="ablauf", roles=[Role.KOORDINATION])
    page, base = browser_page, live_server.url
    log_in(page, base, user.username)
    dialog = page.get_by_role("dialog", name="Ihre Sitzung endet bald")
    expect(dialog).to_be_hidden()
    # About four seconds after the page loaded, eight before the end.
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_contain_text("Abmeldung um")
    assert_no_axe_violations(page)
    button = dialog.get_by_role("button", name="Angemeldet bleiben")
    expect(button).to_be_focused()  # a modal dialog takes the focus: one key press keeps the session
    expiry = Session.objects.get().expire_date
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert Session.objects.get().expire_date > expiry
    assert page.url == base + "/intern/"
    # Nobody answers the next warning: the page is replaced by the login page, which leads back.
    expect(dialog).to_be_visible(timeout=15_000)
    page.wait_for_url(f"{base}/konto/login/?next=%2Fintern%2F", timeout=20_000)
    # The case page was replaced, not left behind: going back does not bring it up again.
    page.go_back()
    assert page.url != base + "/intern/"
