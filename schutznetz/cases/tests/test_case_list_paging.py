"""The case list pages without counting the whole scope and logs exactly the shown cases."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import queries
from schutznetz.cases.models import Case, Participation, ParticipationReason, Person, PersonRole
from schutznetz.core.models import AccessLogEntry
from schutznetz.testing.factories import login


def _cases(world, organisation, count, prefix):
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(number=f"{prefix}-{i:04d}", category="stalking", bringing_organisation=organisation,
                 lead_organisation=organisation, created_at=now - timedelta(minutes=i))
            for i in range(count)
        ]
    )  # fmt: skip
    Participation.objects.bulk_create(
        [Participation(case=c, organisation=organisation, reason=ParticipationReason.BROUGHT) for c in cases]
    )
    Person.objects.bulk_create(
        [
            Person(case=c, role=PersonRole.AT_RISK, first_name="Erika", last_name=f"Name{c.number}")
            for c in cases
        ]
    )
    return cases


def test_list_pages_newest_first_and_logs_only_shown_cases(client, world):
    own = _cases(world, world.police, 55, "P")
    _cases(world, world.beratung, 3, "B")  # not the police's: never listed, never logged
    login(client, world.polizist)

    first = client.get(reverse("cases:list")).content.decode()
    assert "NameP-0000" in first and "NameP-0049" in first and "NameP-0050" not in first
    assert "seite=2" in first and "Seite 1" in first and "seite=0" not in first
    [listed] = AccessLogEntry.objects.filter(user=world.polizist, purpose="list")
    assert len(listed.object_ids) == 50

    second = client.get(reverse("cases:list") + "?seite=2").content.decode()
    assert "NameP-0050" in second and "NameP-0054" in second and "NameP-0049" not in second
    assert "seite=1" in second and "seite=3" not in second
    assert "NameB-" not in first + second
    logged = {id_ for entry in AccessLogEntry.objects.filter(purpose="list") for id_ in entry.object_ids}
    assert logged == {str(c.pk) for c in own}


def test_bad_or_too_high_page_number_shows_the_first_page(client, world):
    _cases(world, world.police, 3, "P")
    login(client, world.polizist)
    for page in ("abc", "-4", "99"):
        response = client.get(reverse("cases:list") + f"?seite={page}")
        assert response.status_code == 200
        assert "NameP-0000" in response.content.decode()


def test_list_page_knows_only_whether_more_follow(world):
    _cases(world, world.police, 51, "P")
    page = queries.list_page(queries.case_list(world.polizist), 1)
    assert len(page.cases) == 50 and page.has_next and not page.has_previous
    page = queries.list_page(queries.case_list(world.polizist), 2)
    assert [c.number for c in page.cases] == ["P-0050"] and not page.has_next and page.has_previous


def test_hidden_names_are_not_loaded(client, world):
    _cases(world, world.police, 2, "P")
    login(client, world.polizist)
    body = client.get(reverse("cases:list") + "?namen=aus").content.decode()
    assert "NameP-" not in body and "P-0000" in body


def test_list_rows_escape_names_and_show_every_column(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    (case,) = _cases(world, world.police, 1, "P")
    Person.objects.filter(case=case).update(first_name='<script>alert("x")</script>', last_name="O'Neil")
    Case.objects.filter(pk=case.pk).update(is_repeat=True, risk_band="high")
    login(client, world.polizist)
    with CaptureQueriesContext(connection) as queries_run:
        body = client.get(reverse("cases:list")).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Neil" in body
    assert (
        f'href="/intern/faelle/{case.pk}/">P-0000</a> <span class="kern-badge kern-badge--warning">Wiederholung'
        in body
    )
    assert "Stalking" in body and "hoch" in body.lower() and world.police.name in body
    assert timezone.localtime(case.created_at).strftime("%d.%m.%Y") in body
    # The deferred columns are never fetched row by row.
    assert sum("cases_case" in q["sql"] for q in queries_run.captured_queries) == 1


def test_empty_list_says_so_across_all_columns(client, world):
    login(client, world.polizist)
    assert 'colspan="6">Keine Fälle.' in client.get(reverse("cases:list")).content.decode()
    assert 'colspan="5">Keine Fälle.' in client.get(reverse("cases:list") + "?namen=aus").content.decode()
