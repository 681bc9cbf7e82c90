"""The page on leaving fewer traces: reachable from the start page and the help finder, neutral in
what ends up in the browser's history (address and title), in German and English."""

import re

import pytest
from django.urls import reverse
from django.utils import translation


def _title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_the_page_explains_private_windows_and_is_neutral_in_history(client):
    response = client.get(reverse("core:safe_browsing"))
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert reverse("core:safe_browsing") == "/hinweise/"
    assert _title(html) == "Informationen"
    assert "Weniger Spuren hinterlassen" in html and "Strg + Umschalt + N" in html
    assert "data-quick-exit" in html


def test_the_page_in_english(client):
    with translation.override("en"):
        url = reverse("core:safe_browsing")
    html = client.get(url).content.decode()
    assert url == "/en/hinweise/" and _title(html) == "Information"
    assert "Leaving fewer traces" in html and "private window" in html


@pytest.mark.django_db  # the finder reads the directory
def test_start_page_and_help_finder_link_to_it(client):
    for page in (reverse("core:home"), reverse("directory:finder")):
        assert 'href="/hinweise/"' in client.get(page).content.decode(), page
