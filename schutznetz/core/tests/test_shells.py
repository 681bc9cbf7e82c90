"""Page shells (core/shells.py): the same bytes as the template engine, built once, holes escaped."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from schutznetz.core import shells
from schutznetz.core.middleware import mark_public

PAGE = """{% extends "base.html" %}{% load i18n %}{% block content %}
<h1>{% translate "Hilfe finden" %}</h1>
<input name="q" value="{{ q }}">{% if has_results %}<ol start="{{ start }}">{{ cards }}</ol>{% else %}<p>{% translate "Suchen" %}</p>{% endif %}
{% endblock %}"""

TEST_PAGES = {
    "test/page.html": PAGE,
    "test/filtered.html": '{% extends "base.html" %}{% block content %}{{ q|upper }}{% endblock %}',
    "test/cut.html": '{% extends "base.html" %}{% block content %}{{ q|truncatechars:2 }}{% endblock %}',
}


def templates_with_test_pages():
    engine = dict(settings.TEMPLATES[0], APP_DIRS=False)
    engine["OPTIONS"] = dict(
        engine["OPTIONS"],
        loaders=[
            ("django.template.loaders.locmem.Loader", TEST_PAGES),
            "django.template.loaders.filesystem.Loader",
            "django.template.loaders.app_directories.Loader",
        ],
    )
    return [engine]


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_pages")]


@pytest.fixture
def test_pages():
    with override_settings(TEMPLATES=templates_with_test_pages()):
        yield


def public_request(path="/hilfe/?q=x&ort=Soest"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    mark_public(request)
    return request


HOSTILE = '"><script>alert(1)</script>&amp;'


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("has_results", [True, False])
def test_shell_gives_the_same_bytes_as_the_template_engine(language, has_results):
    with translation.override(language):
        for path, q in [("/hilfe/?q=eins", "eins"), ("/hilfe/?q=%3Cb%3E&x=%22", HOSTILE), ("/hilfe/", "")]:
            request = public_request(path)
            structure = {"has_results": has_results}
            holes = {"q": q, "cards": mark_safe("<li>Karte</li>"), "start": 21}
            page = shells.render_page(request, "test/page.html", structure, holes)
            assert page == shells.reference(request, "test/page.html", structure, holes)
            assert ("<li>Karte</li>" in page) is has_results
            other = "de" if language == "en" else "en"
            # The language link keeps the request's own path and query.
            assert f'hreflang="{other}"' in page
            assert escape(path.partition("?")[2]) in page


def test_holes_are_escaped_unless_marked_safe():
    page = shells.render_page(public_request(), "test/page.html", {"has_results": True}, {"q": HOSTILE})
    assert "<script>alert" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;"' in page


def test_each_structure_has_its_own_shell_built_once(monkeypatch):
    built = []
    real = shells.render_to_string
    monkeypatch.setattr(shells, "render_to_string", lambda *a, **k: built.append(a[0]) or real(*a, **k))
    request = public_request()
    for q in ["a", "b", "c"]:
        for has_results in (True, False):
            page = shells.render_page(request, "test/page.html", {"has_results": has_results}, {"q": q})
            assert f'value="{q}"' in page
    assert built == ["test/page.html", "test/page.html"]
    with translation.override("en"):
        shells.render_page(request, "test/page.html", {"has_results": True}, {"q": "d"})
    assert len(built) == 3


def test_development_server_builds_the_shell_on_every_request(monkeypatch):
    built = []
    real = shells.render_to_string
    monkeypatch.setattr(shells, "render_to_string", lambda *a, **k: built.append(a[0]) or real(*a, **k))
    with override_settings(DEBUG=True):
        for _ in range(2):
            shells.render_page(public_request(), "test/page.html", {"has_results": False}, {"q": "x"})
    assert len(built) == 2


def test_a_changed_setting_forgets_the_shells():
    request = public_request()
    shells.render_page(request, "test/page.html", {"has_results": False}, {"q": "x"})
    with override_settings(SCHUTZNETZ_NETWORK_NAME="Anderes Netz"):
        assert not shells._shells


@pytest.mark.parametrize("template", ["test/filtered.html", "test/cut.html"])
def test_a_template_that_filters_or_cuts_a_hole_is_refused(template):
    with pytest.raises(ImproperlyConfigured, match="Platzhalter"):
        shells.render_page(public_request(), template, {}, {"q": "wert"})


def test_a_visitors_messages_never_enter_the_shell():
    # The shell is kept for every later visitor: a flash message of the signed-in member of
    # staff who happened to build it must not be part of it.
    request = public_request()
    request._messages = ["Nachricht nur für Fachkraft Meier"]
    first = shells.render_page(request, "test/page.html", {"has_results": False}, {"q": "x"})
    later = shells.render_page(public_request(), "test/page.html", {"has_results": False}, {"q": "x"})
    assert "Fachkraft Meier" not in first and "Fachkraft Meier" not in later
