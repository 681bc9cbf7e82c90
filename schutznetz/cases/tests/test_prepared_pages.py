"""The case list and the start page run their scoped queries prepared (``queries.run_scoped``, built
once per organisation role shape with a stand-in user). For every kind of user they must return
exactly what the plain ORM query returns for that user."""

import datetime

import pytest
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.cases import dashboard, queries, services
from schutznetz.cases.models import Action, CaseStatus, Deadline, DeadlineKind
from schutznetz.cases.tests.test_list_access_facts import _varied_cases
from schutznetz.testing.factories import make_user


def _users(world, seeing_chair):
    inactive = make_user("prepared-inaktiv", organisation=world.police, roles=[Role.FACHKRAFT])
    inactive.is_active = False
    no_organisation = make_user("prepared-ohne-org", roles=[Role.FACHKRAFT])
    no_organisation.organisation = None
    return [world.polizist, world.beraterin, world.jugendamt_fk, world.richterin, world.moderation,
            seeing_chair, world.koordination, world.datenschutz, world.anbieter, inactive,
            no_organisation]  # fmt: skip


def _list_row(case):
    facts = tuple(getattr(case, name, None) for name in queries._FACTS)
    return case.pk, case.number, case.status, case.lead_organisation.name, case.created_at, facts


def test_the_prepared_case_list_equals_the_orm_list_for_every_user_status_and_page(world, seeing_chair):
    police, withdrawn, own = _varied_cases(world, seeing_chair)
    for _ in range(5):  # enough for several pages of two
        services.create_case(world.polizist, category="stalking")
    services.close_case(world.polizist, police, "moved")
    compared = 0
    for user in _users(world, seeing_chair):
        for status in (CaseStatus.OPEN, CaseStatus.CLOSED):
            for number in ("1", "2", "3", "99", "x"):
                prepared = queries.case_list_page(user, number, status=status, per_page=2)
                plain = queries.list_page(queries.case_list(user, status=status), number, per_page=2)
                assert [_list_row(c) for c in prepared.cases] == [_list_row(c) for c in plain.cases], (
                    user.username,
                    status,
                    number,
                )
                assert (prepared.number, prepared.has_next) == (plain.number, plain.has_next)
                compared += len(plain.cases)
    assert compared > 30  # not vacuous: many rows compared, of several users


def test_the_prepared_list_shows_each_organisation_only_its_own_cases(world, seeing_chair):
    # One compiled query serves all users of a role shape: a second organisation must not get the first's rows.
    _varied_cases(world, seeing_chair)
    police_page = {c.pk for c in queries.case_list_page(world.polizist, 1).cases}
    beratung_page = {c.pk for c in queries.case_list_page(world.beraterin, 1).cases}
    assert police_page and beratung_page and police_page != beratung_page
    assert beratung_page == {c.pk for c in queries.case_list(world.beraterin)}


@pytest.fixture
def start_page_data(world, seeing_chair):
    police, withdrawn, own = _varied_cases(world, seeing_chair)
    today = timezone.localdate()
    for case, organisation in ((police, world.police), (own, seeing_chair.organisation)):
        for days in (-3, 0, 2, 7, 8):
            Deadline.objects.create(
                case=case, kind=DeadlineKind.COURT_HEARING, organisation=organisation,
                due_date=today + datetime.timedelta(days=days),
            )  # fmt: skip
    services.create_referral(world.polizist, police, world.beratung)
    Action.objects.create(case=police, description="Gefährderansprache", organisation=world.police,
                          due_date=today + datetime.timedelta(days=4))  # fmt: skip
    Action.objects.create(case=police, description="Beratung", organisation=world.beratung)
    return today


def _deadline_row(deadline):
    return deadline.pk, deadline.case.number, deadline.kind, deadline.due_date


def test_the_prepared_start_page_equals_the_orm_for_every_user(world, seeing_chair, start_page_data):
    today = start_page_data
    week = today + datetime.timedelta(days=7)
    shown = 0
    for user in _users(world, seeing_chair):
        for query, values in (
            (dashboard._due_between, {"first": today, "last": week}),
            (dashboard._overdue, {"today": today}),
        ):
            prepared = queries.run_scoped(user, query, **values)
            plain = list(query(user, **values))
            assert [_deadline_row(d) for d in prepared] == [_deadline_row(d) for d in plain], user.username
            shown += len(plain)
        prepared = queries.run_scoped(user, dashboard._new_referrals)
        plain = list(dashboard._new_referrals(user))
        assert [(r.pk, r.case.number, r.from_organisation.name, r.referred_at) for r in prepared] == [
            (r.pk, r.case.number, r.from_organisation.name, r.referred_at) for r in plain
        ]
        prepared = queries.run_scoped(user, dashboard._open_actions)
        plain = list(dashboard._open_actions(user))
        assert [(a.pk, a.case.number, a.due_date) for a in prepared] == [
            (a.pk, a.case.number, a.due_date) for a in plain
        ]
        shown += len(plain)
    assert shown >= 6  # police and the chair's organisation each saw deadlines, the police an action


def test_the_start_page_shows_the_deadlines_of_the_real_week(world, seeing_chair, start_page_data, client):
    # The stand-in dates the queries were compiled with are placeholders: the page shows today's week.
    from django.utils import formats

    from schutznetz.testing.factories import login

    today = start_page_data
    login(client, world.polizist)
    text = client.get("/intern/").content.decode()
    for days, shown in ((-3, True), (0, True), (2, True), (7, True), (8, False)):
        day = formats.date_format(today + datetime.timedelta(days=days), "SHORT_DATE_FORMAT")
        assert (f"Gerichtstermin, {day}" in text) is shown, days
