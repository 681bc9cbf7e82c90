"""The page in Leichte Sprache names the quick-exit button with the words on the button."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_easy_language_names_the_quick_exit_button_as_it_reads(client, prefix):
    html = client.get(prefix + reverse("directory:easy_language")).content.decode()
    button = re.search(r'data-quick-exit>\s*<span class="kern-label">([^<]+)</span>', html).group(1)
    explanation = html[html.index('id="inhalt"') :]
    assert f": {button}." in explanation


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_easy_language_sends_to_the_search_page_by_its_button(client, prefix):
    """The page has no search field: it says which button leads to one, in the button's words."""
    html = client.get(prefix + reverse("directory:easy_language")).content.decode()
    button = re.search(
        r'kern-btn--primary" href="[^"]*/hilfe/"><span class="kern-label">([^<]+)</span>', html
    )
    explanation = html[html.index('id="inhalt"') : html.index(button.group(0))]
    assert f": {button.group(1)}." in explanation
    assert "Auf dieser Seite können Sie suchen" not in html
