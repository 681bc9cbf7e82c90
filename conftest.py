"""Root conftest: fixtures for every test. Environment defaults: schutznetz.testing.pytest_env."""

import pytest

from schutznetz.testing.fixtures import browser_page, chromium_browser  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Password hashing is deliberately slow in production; tests that need a real
    hasher (the evidence status-page timing test) set their own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
