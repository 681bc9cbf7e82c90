"""Shared pytest fixtures; made visible to every test by the root conftest.py."""

import pytest

from schutznetz.testing.browser import launch_chromium, new_context


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser):
    context = new_context(chromium_browser)
    # Generous: CI runs on two shared cores; nothing in a test waits on purpose.
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(30_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def fresh_login_limits():
    """allauth's login lock-outs live in the (database) cache, which test transactions do not
    reset: each test that signs in through the form starts and ends with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
