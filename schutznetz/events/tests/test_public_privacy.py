"""Public event pages and a participant's details.

The pages behind a participant's personal link show name, e-mail address and organisation of
one person; the link travels by mail and can end up somewhere public (a forwarded mail in a web
archive, a pasted chat link): they keep out of search engines and caches. Form errors speak the
page's language.
"""

import pytest
from django.urls import reverse

from schutznetz.events import services
from schutznetz.events.tests.conftest import registration_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def personal_urls(event):
    registration = services.register(event.pk, **registration_data(1)).registration
    services.confirm(registration.pk)
    token = registration.token
    return [
        reverse("events:manage", args=[token]),
        reverse("events:confirm", args=[token]),
        reverse("events:cancel", args=[token]),
        reverse("events:ticket", args=[token]),
    ]


def test_personal_link_pages_are_noindex_no_store_and_set_no_cookie(client, personal_urls):
    for url in personal_urls + ["/en" + url for url in personal_urls]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "noindex" in response["X-Robots-Tag"], url
        assert "no-store" in response["Cache-Control"], url
        assert "Set-Cookie" not in response.headers and not response.cookies, url


def test_answers_to_posts_on_a_personal_link_are_noindex_too(client, personal_urls):
    manage = personal_urls[0]
    response = client.post(manage, {"name": "", "profession": "beratung"})
    assert response.status_code == 400
    assert "noindex" in response["X-Robots-Tag"]
    assert "Vor- und Nachname" in response.content.decode()
    response = client.post(personal_urls[2])
    assert response.status_code == 200 and "noindex" in response["X-Robots-Tag"]


def test_registration_errors_on_the_english_page_are_english_and_name_the_field(client, event):
    """The error summary names each field in the page's language, also Django's own messages."""
    response = client.post(
        f"/en/veranstaltungen/{event.slug}/",
        {"name": "x" * 5000, "email": "keine-adresse", "profession": "erfunden"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and '<html lang="en">' in html
    assert "First and last name: Ensure this value has at most 200 characters" in html
    assert "Email address: Please enter a valid email address." in html
    assert "Please agree to the privacy notice." in html
    for german in ("Vor- und Nachname", "Bitte prüfen Sie", "zwingend erforderlich", "Gib eine gültige"):
        assert german not in html
