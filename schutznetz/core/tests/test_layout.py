"""Layout hooks every app plugs into: navigation, dashboards, skip link, language switch."""

import pytest
from django.urls import reverse

from schutznetz.core.hooks import app_modules
from schutznetz.testing.factories import login, make_user


def test_every_navigation_entry_resolves():
    broken = []
    for module in app_modules("navigation"):
        for entry in (*getattr(module, "PUBLIC", ()), *getattr(module, "STAFF", ())):
            try:
                reverse(entry[0])
            except Exception as exc:  # noqa: BLE001
                broken.append(f"{module.__name__}: {entry[0]} ({exc.__class__.__name__})")
    assert not broken, broken


@pytest.mark.django_db
def test_public_page_has_skip_link_language_switch_and_no_staff_nav(client):
    html = client.get("/").content.decode()
    assert 'class="sn-skip-link" href="#inhalt"' in html
    assert 'id="inhalt"' in html
    assert 'href="/en/"' in html and 'hreflang="en"' in html
    assert "Abmelden" not in html


@pytest.mark.django_db
def test_staff_start_page_shows_staff_navigation(client):
    user = make_user(roles=["koordination", "org_admin"])
    login(client, user)
    html = client.get(reverse("core:staff_home")).content.decode()
    assert reverse("accounts:users") in html
    assert "Abmelden" in html
    assert "data-quick-exit" not in html


@pytest.mark.django_db
def test_staff_navigation_respects_permissions(client):
    login(client, make_user(roles=["anbieter"]))
    html = client.get(reverse("core:staff_home")).content.decode()
    assert reverse("accounts:users") not in html
