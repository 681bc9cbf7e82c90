"""Playwright (sync API) driving Debian's Chromium. Playwright never downloads a browser here."""

import os
from pathlib import Path

CHROMIUM = os.environ.get("SCHUTZNETZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} fehlt – `make test-deps` installiert das Debian-Paket chromium.")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def new_context(browser, **kwargs):
    kwargs.setdefault("locale", "de-DE")
    kwargs.setdefault("timezone_id", "Europe/Berlin")
    return browser.new_context(**kwargs)


def log_in(page, base, username):
    """Sign in through the login form (test users share PASSWORD) and land on the staff start page."""
    from schutznetz.testing.factories import PASSWORD

    page.goto(base + "/konto/login/")
    page.get_by_label("Anmeldename").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/intern/")
