"""Putting one specific case on a conference's agenda by its number (e.g. for a Spontankonferenz)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from schutznetz.accounts.models import Role
from schutznetz.cases import queries, services
from schutznetz.cases.models import AgendaItem, Category, ConferenceKind, PersonRole
from schutznetz.core.models import AccessLogEntry, AuditEntry
from schutznetz.testing.factories import login, make_user

TODAY = datetime.date(2026, 11, 30)
UNKNOWN = "Kein Fall mit dieser Nummer, den Sie sehen dürfen."


@pytest.fixture
def conference(world):
    """A planned Spontankonferenz chaired by the Jugendamt, the police invited, nothing on the agenda."""
    return services.create_conference(
        world.moderation, date=TODAY, kind=ConferenceKind.AD_HOC, invited_organisations=[world.police]
    )


@pytest.fixture
def jugendamt_case(world):
    case, _notices = services.create_case(
        world.jugendamt_fk, category=Category.KINDESWOHL, municipality="Werl",
        persons=[{"role": PersonRole.CHILD, "first_name": "Lina", "last_name": "Beispiel", "age": 7}],
    )  # fmt: skip
    return case


@pytest.fixture
def beratung_case(world):
    """A case of the Frauenberatung that the Jugendamt does not take part in."""
    case, _notices = services.create_case(
        world.beraterin, category=Category.STALKING,
        persons=[{"role": PersonRole.AT_RISK, "first_name": "Frieda", "last_name": "Fremd"}],
    )  # fmt: skip
    return case


@pytest.fixture
def other_moderation(world):
    return make_user(
        "andere-moderation", world.beratung, roles=(Role.MODERATION, Role.FACHKRAFT), email="om@example.org"
    )


def _audit():
    return list(AuditEntry.objects.filter(action="conference.agenda.add"))


def _message(exc, field="case"):
    return exc.value.message_dict[field][0]


# --- services ----------------------------------------------------------------------------------------


def test_the_chair_adds_a_case_it_sees_by_number(world, conference, jugendamt_case, seeing_chair):
    item = services.add_case_number_to_agenda(seeing_chair, conference, f"  {jugendamt_case.number.lower()} ")
    assert (item.conference, item.case, item.position) == (conference, jugendamt_case, 1)
    [entry] = _audit()
    assert entry.changed_fields == ["case"] and entry.object_id == str(item.pk)
    # the look-up is a read of the case and goes to the access log
    assert AccessLogEntry.objects.filter(
        user=seeing_chair, object_id=str(jugendamt_case.pk), purpose="agenda_lookup"
    ).exists()
    # the chair's Moderation now sees the case through the agenda
    assert queries.cases_for(world.moderation).filter(pk=jugendamt_case.pk).exists()


def test_only_the_chairs_moderation_may_add(world, conference, jugendamt_case, other_moderation):
    for actor in (other_moderation, world.jugendamt_fk, world.polizist, world.koordination):
        with pytest.raises(PermissionDenied):
            services.add_case_number_to_agenda(actor, conference, jugendamt_case.number)
        with pytest.raises(PermissionDenied):
            services.add_to_agenda(actor, conference, jugendamt_case)
    assert not AgendaItem.objects.exists() and _audit() == []


def test_a_case_outside_the_scope_gets_the_message_of_an_unknown_number(
    world, conference, jugendamt_case, beratung_case, seeing_chair
):
    with pytest.raises(ValidationError) as unknown:
        services.add_case_number_to_agenda(seeing_chair, conference, "FK-2099-9999")
    assert _message(unknown) == UNKNOWN
    # the Frauenberatung's case exists, but the chair may not see it: the same answer
    with pytest.raises(ValidationError) as foreign:
        services.add_case_number_to_agenda(seeing_chair, conference, beratung_case.number)
    assert _message(foreign) == UNKNOWN
    # the pure Moderation sees no case at all (only those on its agendas), not even its organisation's
    with pytest.raises(ValidationError) as not_seen:
        services.add_case_number_to_agenda(world.moderation, conference, jugendamt_case.number)
    assert _message(not_seen) == UNKNOWN
    # the service checks the scope itself, also when handed a case object
    for actor, case in ((world.moderation, jugendamt_case), (seeing_chair, beratung_case)):
        with pytest.raises(ValidationError) as direct:
            services.add_to_agenda(actor, conference, case)
        assert _message(direct) == UNKNOWN
    assert not AgendaItem.objects.exists() and _audit() == []
    assert not AccessLogEntry.objects.filter(
        object_id=str(beratung_case.pk), purpose="agenda_lookup"
    ).exists()


def test_a_case_on_another_of_its_agendas_may_be_added_by_the_pure_moderation(world, police_case, conference):
    services.propose_for_conference(world.polizist, police_case)
    regular = services.create_conference(world.moderation, date=TODAY, invited_organisations=[world.police])
    services.build_agenda(world.moderation, regular)
    item = services.add_case_number_to_agenda(world.moderation, conference, police_case.number)
    assert item.case == police_case and conference.agenda_items.count() == 1


def test_a_cancelled_or_held_conference_refuses(world, jugendamt_case, seeing_chair):
    cancelled = services.create_conference(world.moderation, date=TODAY)
    services.cancel_conference(world.moderation, cancelled, "Terminkollision")
    held = services.create_conference(world.moderation, date=TODAY)
    services.mark_conference_held(world.moderation, held)
    for conference, text in ((cancelled, "abgesagt"), (held, "bereits durchgeführt")):
        with pytest.raises(ValidationError, match=text):
            services.add_case_number_to_agenda(seeing_chair, conference, jugendamt_case.number)
        with pytest.raises(ValidationError, match=text):
            services.add_to_agenda(seeing_chair, conference, jugendamt_case)
    assert not AgendaItem.objects.exists() and _audit() == []


def test_the_same_case_twice_gets_a_clear_message(world, conference, jugendamt_case, seeing_chair):
    services.add_case_number_to_agenda(seeing_chair, conference, jugendamt_case.number)
    with pytest.raises(ValidationError) as exc:
        services.add_case_number_to_agenda(seeing_chair, conference, jugendamt_case.number)
    assert "bereits auf der Tagesordnung" in _message(exc) and jugendamt_case.number in _message(exc)
    assert conference.agenda_items.count() == 1 and len(_audit()) == 1


def test_a_closed_case_and_an_empty_number_are_refused(world, conference, jugendamt_case, seeing_chair):
    services.close_case(world.jugendamt_fk, jugendamt_case, "risk_reduced")
    with pytest.raises(ValidationError) as exc:
        services.add_case_number_to_agenda(seeing_chair, conference, jugendamt_case.number)
    assert "abgeschlossen" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        services.add_case_number_to_agenda(seeing_chair, conference, "   ")
    assert "Fallnummer" in _message(exc)
    assert not AgendaItem.objects.exists()


# --- views -------------------------------------------------------------------------------------------


def _url(conference):
    return reverse("cases:conference_add_case", args=[conference.pk])


def test_add_case_view(world, conference, jugendamt_case, beratung_case, seeing_chair):
    url = _url(conference)
    assert login(Client(), world.polizist).get(url).status_code == 403
    assert login(Client(), world.jugendamt_fk).post(url, {"case": jugendamt_case.number}).status_code == 403
    assert login(Client(), world.beraterin).get(url).status_code == 404
    client = login(Client(), seeing_chair)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'for="id_case"' in body and "Fallnummer" in body
    for number in ("", "FK-2099-9999", beratung_case.number):
        response = client.post(url, {"case": number})
        assert response.status_code == 400
        body = response.content.decode()
        assert "Fallnummer" in body and "kern-error" in body
        if number:
            assert UNKNOWN in body
    assert "Frieda" not in body and not AgendaItem.objects.exists()
    response = client.post(url, {"case": jugendamt_case.number}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:conference_detail", args=[conference.pk])
    assert "steht jetzt auf der Tagesordnung" in response.content.decode()
    assert conference.agenda_items.get().case == jugendamt_case
    response = client.post(url, {"case": jugendamt_case.number})
    assert response.status_code == 400 and "bereits auf der Tagesordnung" in response.content.decode()
    assert conference.agenda_items.count() == 1


def test_add_case_view_refuses_a_held_or_cancelled_conference(
    world, conference, jugendamt_case, seeing_chair
):
    client = login(Client(), seeing_chair)
    services.mark_conference_held(world.moderation, conference)
    response = client.post(_url(conference), {"case": jugendamt_case.number}, follow=True)
    assert response.status_code == 200 and "bereits durchgeführt" in response.content.decode()
    assert client.get(_url(conference)).status_code == 302
    cancelled = services.create_conference(world.moderation, date=TODAY)
    services.cancel_conference(world.moderation, cancelled, "Terminkollision")
    response = client.post(_url(cancelled), {"case": jugendamt_case.number}, follow=True)
    assert "abgesagt" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_detail_links_the_page_for_the_chair_while_planned(world, conference):
    detail = reverse("cases:conference_detail", args=[conference.pk])
    assert _url(conference) in login(Client(), world.moderation).get(detail).content.decode()
    assert _url(conference) not in login(Client(), world.polizist).get(detail).content.decode()
    services.mark_conference_held(world.moderation, conference)
    assert _url(conference) not in login(Client(), world.moderation).get(detail).content.decode()
