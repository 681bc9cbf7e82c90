"""Every HTML page of the authorisation matrix passes axe (WCAG 2.1 A/AA), in German and English.

The module flows check the pages they pass through; this sweep checks the rest (detail pages,
empty states, admin-like staff pages) with the matrix's own objects, as the first actor allowed to
see each page. Downloads (PDF, CSV, XLSX, iCalendar, JSON) and redirects to other sites are left
out: they are not HTML. The page must answer below 400, so a page that breaks is noticed here too.
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from schutznetz.testing.axe import axe_violations, format_violations
from tests.access_matrix import allowed_actors, build_world, enumerate_urls, load_tables, resolve

# Who looks at a page open to several actors: the roles that use most pages first.
ACTOR_PREFERENCE = ("koordination", "fachkraft", "moderation", "anbieter", "spurensicherung", "datenschutz")
LANGUAGE_PREFIXES = ("", "/en")


def build_world_and_pages():
    """The matrix world, committed, so that the live server's thread sees it."""
    world = build_world()
    return world, {name: entry for _, table, _ in load_tables() for name, entry in table.items()}


def html_pages(world, url_table):
    """(actor, path) of every GET page that answers with HTML for an allowed actor."""
    pages = []
    clients = {}
    for name, _route, _view in enumerate_urls():
        entry = url_table[name]
        if entry.get("post_only"):
            continue
        allow = allowed_actors(entry)
        actor = (
            "anonymous" if "anonymous" in allow else next((a for a in ACTOR_PREFERENCE if a in allow), None)
        )
        if actor is None:
            continue
        path = reverse(name, kwargs=resolve(entry.get("kwargs"), world) or {})
        if actor not in clients:
            clients[actor] = Client()
            if actor != "anonymous":
                clients[actor].force_login(
                    world.users[actor], backend="schutznetz.accounts.backends.SignInBackend"
                )
        response = clients[actor].get(path)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            pages.append((actor, path))
    return pages, clients


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_every_html_page_passes_axe_in_both_languages(live_server, chromium_browser):
    world, url_table = build_world_and_pages()
    pages, clients = html_pages(world, url_table)
    # Enough pages that the sweep means something: a broken enumeration would find few.
    assert len(pages) >= 60, pages

    browser_pages = {}
    failures = []
    for actor, path in pages:
        if actor not in browser_pages:
            context = chromium_browser.new_context()
            if actor != "anonymous":
                session = clients[actor].cookies[settings.SESSION_COOKIE_NAME].value
                context.add_cookies(
                    [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
                )
            browser_pages[actor] = context.new_page()
        page = browser_pages[actor]
        for prefix in LANGUAGE_PREFIXES:
            response = page.goto(live_server.url + prefix + path)
            if response is None or response.status >= 400:
                failures.append(f"{prefix}{path} ({actor}): HTTP {response.status if response else '?'}")
                continue
            violations = axe_violations(page)
            if violations:
                failures.append(f"{prefix}{path} ({actor}):\n{format_violations(violations)}")
    for page in browser_pages.values():
        page.context.close()
    assert not failures, "\n".join(failures)
