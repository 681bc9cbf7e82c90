"""In the browser: Koordination writes and publishes a news item with a photo and its credit;
the public pages of the network pass axe (WCAG 2.1 A/AA)."""

import re

import pytest
from django.conf import settings as django_settings
from django.test import Client

from schutznetz.network import services
from schutznetz.testing.axe import assert_no_axe_violations

from .conftest import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, user):
    client = Client()
    client.force_login(user, backend="schutznetz.accounts.backends.SignInBackend")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_publish_news_with_photo_and_public_pages_accessible(
    browser_page, live_server, koordination, partners
):
    # Some content for the public pages.
    services.save_partner_profile(
        None,
        partners[0],
        contribution="Schutzauftrag für Kinder",
        contact_label="ASD",
        contact_email="asd@example.org",
    )
    material = services.save_material(
        None, title="Faltblatt Hilfe", audience="betroffene", visibility="public", topics=["praevention"]
    )
    services.add_material_version(None, material, _pdf_upload())

    page = browser_page
    page.set_default_timeout(30_000)  # the shared 2-core machine can be slow; no sleeps, only waits
    _login(page, live_server, koordination)
    page.goto(f"{live_server.url}/intern/netzwerk/aktuelles/neu/")
    page.get_by_label("Titel", exact=True).fill("Fachtag gegen häusliche Gewalt")
    page.get_by_label("Vorspann").fill("Fachkräfte aus dem Kreis trafen sich zum Austausch.")
    page.get_by_label(re.compile("^Text")).fill("Es ging um **Gefährdungseinschätzung**.")
    page.get_by_role("button", name="Meldung speichern").click()
    page.get_by_role("heading", name="Meldung bearbeiten").wait_for()

    page.locator("#id_photo-image").set_input_files(
        {"name": "saal.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(1400, 800))}
    )
    page.get_by_label(re.compile("Alternativtext")).fill("Blick in den Saal beim Fachtag")
    page.get_by_label(re.compile("^Fotonachweis")).fill("Foto: Kreis Soest")
    page.get_by_label(re.compile("^Nutzungsbedingungen")).fill("Abdruck honorarfrei mit Nachweis")
    page.get_by_role("button", name="Foto hochladen").click()
    page.get_by_text("Das Foto wurde hinzugefügt.").wait_for()
    page.get_by_role("button", name="Veröffentlichen").click()
    page.get_by_text("Die Meldung ist veröffentlicht.").wait_for()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/aktuelles/")
    assert page.context.cookies() == []
    page.get_by_role("link", name="Fachtag gegen häusliche Gewalt").wait_for()
    page.get_by_text("Foto: Kreis Soest").first.wait_for()
    image = page.get_by_role("img", name="Blick in den Saal beim Fachtag")
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert "1024w" in image.get_attribute("srcset")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Fachtag gegen häusliche Gewalt").click()
    page.get_by_text("Abdruck honorarfrei mit Nachweis").wait_for()
    assert_no_axe_violations(page)

    for path in ("/netzwerk/", "/netzwerk/vereinbarung/"):
        page.goto(f"{live_server.url}{path}")
        page.get_by_role("heading", level=1).wait_for()
        assert_no_axe_violations(page)
    assert page.get_by_text("Person 1").count() == 1  # signatories on the agreement page


def _pdf_upload():
    from .conftest import upload

    return upload(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "f.pdf", "application/pdf")
