"""Root conftest: fixtures for every test. Environment defaults: schutznetz.testing.pytest_env."""

from schutznetz.testing.fixtures import browser_page, chromium_browser  # noqa: F401
