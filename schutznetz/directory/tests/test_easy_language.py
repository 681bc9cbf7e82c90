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
