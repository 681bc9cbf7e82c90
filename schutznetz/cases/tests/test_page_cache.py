"""The case list and the start page served again per sign-in while nothing changed (core/page_cache.py).

These tests commit (``transaction=True``): a page rendered inside an open transaction is never kept.
"""

import datetime
import re

import pytest
from django.contrib.messages import INFO
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schutznetz.cases import services
from schutznetz.cases.models import Person, PersonRole, Section
from schutznetz.core import page_cache
from schutznetz.core.models import AccessLogEntry
from schutznetz.testing.factories import login, make_organisation

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "cases:list"


@pytest.fixture(autouse=True)
def _empty_cache():
    page_cache.clear()
    yield
    page_cache.clear()


def fetch(client, url):
    """The page and whether it was rendered (it read cases) rather than served again."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    rendered = any("cases_case" in query["sql"] for query in ctx.captured_queries)
    return response.content.decode(), rendered


def warm(client, url):
    """The first request sets the CSRF cookie, the second keeps the page; returns that page."""
    fetch(client, url)
    page, rendered = fetch(client, url)
    assert rendered
    return page


def test_the_list_is_served_again_unchanged_and_every_serving_is_logged(world, police_case):
    client = login(Client(), world.polizist)
    url = reverse(LIST)
    kept = warm(client, url)
    again, rendered = fetch(client, url)
    assert not rendered and again == kept and "Müller" in again
    reads = AccessLogEntry.objects.about("cases.case", police_case.pk).filter(purpose="list")
    assert reads.count() == 3
    assert {tuple(entry.object_ids) for entry in reads} == {(str(police_case.pk),)}
    assert {(entry.user_id, entry.organisation_id) for entry in reads} == {
        (world.polizist.pk, world.police.pk)
    }


def test_any_change_in_the_database_renders_the_page_again(world, police_case):
    client = login(Client(), world.polizist)
    url = reverse(LIST)
    warm(client, url)
    # A bulk update sends no signal; the database trigger notes it all the same.
    Person.objects.filter(case=police_case, role=PersonRole.AT_RISK).update(last_name="Meier")
    logged = AccessLogEntry.objects.filter(purpose="list").count()
    page, rendered = fetch(client, url)
    assert rendered and "Meier" in page and "Müller" not in page
    # The stale page's reads were not logged, only those of the page rendered instead.
    assert AccessLogEntry.objects.filter(purpose="list").count() == logged + 1
    make_organisation("Irgendeine andere")  # coarse on purpose: any change counts
    assert fetch(client, url)[1]


def test_a_revoked_share_hides_the_name_on_the_very_next_request(world, shared_with_beratung):
    client = login(Client(), world.beraterin)
    url = reverse(LIST)
    assert "Müller" in warm(client, url)
    assert "Müller" in fetch(client, url)[0]
    services.revoke_share(world.polizist, shared_with_beratung, world.beratung, Section.PERSONS, "Widerruf")
    page, rendered = fetch(client, url)
    assert rendered and "Müller" not in page


def test_pages_are_kept_per_sign_in_address_and_language(world, police_case):
    first, second = login(Client(), world.polizist), login(Client(), world.polizist)
    url = reverse(LIST)
    warm(first, url)
    fetch(second, url)
    assert fetch(second, url)[1]  # another session of the same user renders its own page
    assert fetch(first, url + "?namen=aus")[1]  # another address
    assert "Müller" not in fetch(first, url + "?namen=aus")[0]
    assert fetch(first, "/en" + url)[1]  # another language
    assert not fetch(first, url)[1]
    other = login(Client(), world.jugendamt_fk)
    fetch(other, url)
    assert police_case.number not in fetch(other, url)[0]


def test_nothing_is_kept_when_switched_off_expired_or_on_another_day(
    world, police_case, settings, monkeypatch
):
    client = login(Client(), world.polizist)
    url = reverse(LIST)
    warm(client, url)
    clock = page_cache.time.monotonic
    monkeypatch.setattr(
        page_cache.time, "monotonic", lambda: clock() + settings.SCHUTZNETZ_PAGE_CACHE_SECONDS
    )
    assert fetch(client, url)[1]
    monkeypatch.setattr(page_cache.time, "monotonic", clock)
    assert not fetch(client, url)[1]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert fetch(client, url)[1]
    settings.SCHUTZNETZ_PAGE_CACHE_SECONDS = 0
    assert fetch(client, url)[1] and fetch(client, url)[1]


def test_pages_with_messages_or_without_a_csrf_cookie_are_not_kept(world, rf):
    request = rf.get(reverse(LIST))
    request.META["CSRF_COOKIE"] = "x" * 32  # what CsrfViewMiddleware takes from a valid cookie
    request.user = world.polizist
    request.session = SessionStore()
    request.session.create()
    request._messages = CookieStorage(request)
    request.resolver_match = None
    assert page_cache._key(request) is not None
    request._messages.add(INFO, "Gespeichert.")
    assert page_cache._key(request) is None
    request._messages = CookieStorage(request)
    del request.META["CSRF_COOKIE"]
    assert page_cache._key(request) is None


def test_forms_on_a_served_page_work_and_signing_out_drops_the_sessions_pages(world, police_case):
    client = login(Client(enforce_csrf_checks=True), world.polizist)
    url = reverse(LIST)
    warm(client, url)
    page, rendered = fetch(client, url)
    assert not rendered
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    session_key = client.session.session_key
    assert any(key[2] == session_key for key in page_cache._pages)
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not any(key[2] == session_key for key in page_cache._pages)


def test_the_start_page_is_served_again_until_a_deadline_is_added(world, police_case):
    client = login(Client(), world.polizist)
    url = reverse("core:staff_home")
    warm(client, url)
    assert not fetch(client, url)[1]
    today = datetime.date.today()
    services.add_deadline(
        world.polizist, police_case, kind="court_hearing", due_date=today + datetime.timedelta(days=2)
    )
    page, rendered = fetch(client, url)
    assert rendered and police_case.number in page
