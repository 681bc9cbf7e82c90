"""Root conftest: fixtures for every test. Environment defaults: schutznetz.testing.pytest_env."""

import pytest

from schutznetz.testing.fixtures import browser_page, chromium_browser, fresh_login_limits  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Password hashing is deliberately slow in production; tests that need a real
    hasher (the evidence status-page timing test) set their own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _german_by_default():
    """Every test starts in the source language: a request to an /en/ page leaves English
    active in the thread, which would otherwise leak into the next test's messages."""
    from django.utils import translation

    translation.activate("de")
    yield
    translation.deactivate()
