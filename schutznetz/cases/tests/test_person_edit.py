"""Correcting and removing persons after creation: only for organisations that manage the case."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from schutznetz.cases import services
from schutznetz.cases.models import Case, LegalBasisKind, Person, PersonRole, RepeatMatch, Section
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login

ANNA_DOB = datetime.date(1990, 4, 12)


def _anna(case):
    return Person.objects.get(case=case, role=PersonRole.AT_RISK)


def _child(case):
    return Person.objects.get(case=case, role=PersonRole.CHILD)


def _other_case(user, first="Anna", last="Müller", dob=ANNA_DOB):
    case, _notices = services.create_case(user, category="haeusliche_gewalt", persons=[
        {"role": PersonRole.AT_RISK, "first_name": first, "last_name": last, "date_of_birth": dob}])  # fmt: skip
    return case


# --- service ----------------------------------------------------------------------------------------


def test_contact_corrections_keep_the_blind_index_and_audit_names_only(world, police_case):
    anna = _anna(police_case)
    index = anna.identity_index
    person, notices = services.update_person(
        world.polizist, anna, address="Geheimweg 7, 59555 Lippstadt", phone="0170 1111111",
        phone_safe_to_call=True, aliases="Annie",
    )  # fmt: skip
    assert notices == []
    person = Person.objects.get(pk=anna.pk)
    assert (person.address, person.phone, person.phone_safe_to_call, person.aliases) == (
        "Geheimweg 7, 59555 Lippstadt", "0170 1111111", True, "Annie",
    )  # fmt: skip
    assert person.identity_index == index
    entry = AuditEntry.objects.get(action="case.person.update")
    assert entry.object_id == str(anna.pk) and entry.actor == world.polizist
    assert entry.changed_fields == ["address", "aliases", "phone", "phone_safe_to_call"]
    assert "Geheimweg" not in str(entry.changed_fields) and "0170" not in str(entry.changed_fields)


def test_children_age_and_school_can_be_corrected(world, police_case):
    ben = _child(police_case)
    services.update_person(world.polizist, ben, age=7, school_or_kita="Grundschule am Park")
    ben.refresh_from_db()
    assert (ben.age, ben.school_or_kita) == (7, "Grundschule am Park")
    assert AuditEntry.objects.get(action="case.person.update").changed_fields == ["age", "school_or_kita"]


def test_nothing_changed_writes_nothing(world, police_case):
    anna = _anna(police_case)
    before = AuditEntry.objects.count()
    _person, notices = services.update_person(world.polizist, anna, first_name="Anna", date_of_birth=ANNA_DOB)
    assert notices == [] and AuditEntry.objects.count() == before


def test_changed_name_recomputes_the_index_and_detects_a_repeat(world, police_case, mailoutbox):
    # The Frauenberatung brought a case with a misspelt name: no repeat at first.
    case = _other_case(world.beraterin, "Ana", "Miller")
    assert not case.is_repeat
    person = _anna(case)
    old_index = person.identity_index
    mailoutbox.clear()
    _person, notices = services.update_person(world.beraterin, person, first_name="anna", last_name="mueller")
    person.refresh_from_db()
    assert person.identity_index and person.identity_index != old_index
    assert person.identity_index == _anna(police_case).identity_index
    [notice] = notices
    # As on creation: the number, when last conferenced and the lead, no link (not taking part).
    assert (notice.earlier_case_number, notice.lead_organisation, notice.earlier_case_id) == (
        police_case.number, "Polizei Test", None,
    )  # fmt: skip
    case.refresh_from_db()
    assert case.is_repeat
    assert RepeatMatch.objects.get(case=case, earlier_case=police_case).chair_notified
    assert [m.to for m in mailoutbox] == [["mod@example.org"]]
    entry = AuditEntry.objects.get(action="case.person.update")
    assert entry.changed_fields == ["first_name", "identity_index", "last_name"]
    assert AuditEntry.objects.filter(action="case.repeat.detected", object_id=str(case.pk)).count() == 1


def test_changed_date_of_birth_recomputes_the_index(world, police_case):
    case = _other_case(world.beraterin, dob=datetime.date(1990, 4, 13))
    assert not case.is_repeat
    _person, notices = services.update_person(world.beraterin, _anna(case), date_of_birth=ANNA_DOB)
    assert [n.earlier_case_number for n in notices] == [police_case.number]
    assert "date_of_birth" in AuditEntry.objects.get(action="case.person.update").changed_fields


def test_removing_the_date_of_birth_clears_the_index(world, police_case):
    anna = _anna(police_case)
    _person, notices = services.update_person(world.polizist, anna, date_of_birth=None)
    anna.refresh_from_db()
    assert anna.identity_index == "" and notices == []


def test_repeat_detection_is_the_function_used_on_creation(world, police_case, monkeypatch):
    calls = []
    original = services.detect_repeats
    monkeypatch.setattr(services, "detect_repeats", lambda *args, **kw: calls.append(args) or original(*args))
    anna = _anna(police_case)
    services.update_person(world.polizist, anna, phone="0171 2")
    assert calls == []  # contact data only: no new search
    services.update_person(world.polizist, anna, last_name="Müller-Schmidt")
    assert [(c[1].pk, c[2].pk) for c in calls] == [(police_case.pk, anna.pk)]


def test_blind_index_of_a_correction_matches_creation(world, police_case):
    case = _other_case(world.beraterin, "X", "Y")
    services.update_person(world.beraterin, _anna(case), first_name="Anna", last_name="Müller")
    assert _anna(case).identity_index == services.identity_index("Anna", "Müller", ANNA_DOB)


def test_bad_input_names_the_field_and_changes_nothing(world, police_case):
    anna = _anna(police_case)
    with pytest.raises(ValidationError) as exc:
        services.update_person(world.polizist, anna, first_name="", last_name="", aliases="")
    assert set(exc.value.message_dict) == {"last_name"}
    with pytest.raises(ValidationError) as exc:
        services.update_person(world.polizist, anna, date_of_birth=datetime.date(2999, 1, 1))
    assert set(exc.value.message_dict) == {"date_of_birth"}
    with pytest.raises(ValidationError):
        services.update_person(world.polizist, anna, role=PersonRole.PERPETRATOR)
    anna.refresh_from_db()
    assert (anna.first_name, anna.last_name, anna.date_of_birth, anna.role) == (
        "Anna", "Müller", ANNA_DOB, PersonRole.AT_RISK,
    )  # fmt: skip
    assert not AuditEntry.objects.filter(action="case.person.update").exists()


def test_corrected_name_is_encrypted_at_rest(world, police_case):
    services.update_person(world.polizist, _anna(police_case), last_name="Zzyzxkorrektur")
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_name FROM cases_person")
        raw = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "Zzyzxkorrektur" not in raw
    assert _anna(police_case).last_name == "Zzyzxkorrektur"


def test_organisations_that_only_see_the_case_may_not_correct(world, shared_with_beratung):
    """The Frauenberatung sees the persons section but does not manage the case."""
    anna = _anna(shared_with_beratung)
    with pytest.raises(PermissionDenied):
        services.update_person(world.beraterin, anna, phone="0000")
    with pytest.raises(PermissionDenied):
        services.remove_person(world.beraterin, anna, "duplicate")
    with pytest.raises(PermissionDenied):
        services.update_person(world.moderation, anna, phone="0000")
    anna.refresh_from_db()
    assert anna.phone == "0151 000000"


def test_new_lead_organisation_may_correct(world, police_case):
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.transfer_lead(world.polizist, police_case, world.beratung)
    anna = Person.objects.select_related("case").get(pk=_anna(police_case).pk)
    services.update_person(world.beraterin, anna, phone="0152 3")
    assert _anna(police_case).phone == "0152 3"


def test_closed_cases_cannot_be_corrected(world, police_case):
    services.close_case(world.polizist, police_case, "risk_reduced")
    anna = Person.objects.select_related("case").get(pk=_anna(police_case).pk)
    with pytest.raises(PermissionDenied):
        services.update_person(world.polizist, anna, phone="0")


def test_remove_person_with_reason(world, police_case):
    ben = _child(police_case)
    ben_id = ben.pk
    assert Case.objects.get(pk=police_case.pk).children_count == 1
    with pytest.raises(ValidationError) as exc:
        services.remove_person(world.polizist, ben, "")
    assert set(exc.value.message_dict) == {"reason"}
    assert Person.objects.filter(pk=ben.pk).exists()
    services.remove_person(world.polizist, ben, "duplicate")
    assert not Person.objects.filter(pk=ben_id).exists()
    assert Case.objects.get(pk=police_case.pk).children_count == 0
    entry = AuditEntry.objects.get(action="case.person.remove.duplicate")
    assert (entry.object_type, entry.object_id) == ("cases.person", str(ben_id))
    assert entry.changed_fields == ["age", "first_name", "last_name", "role", "school_or_kita"]


# --- views ------------------------------------------------------------------------------------------


def test_edit_form_shows_current_values_and_saves(client, world, police_case):
    anna = _anna(police_case)
    login(client, world.polizist)
    url = reverse("cases:person_edit", args=[police_case.pk, anna.pk])
    body = client.get(url).content.decode()
    assert 'value="Anna"' in body and "Musterweg 1" in body and 'name="role"' not in body
    response = client.post(url, {
        "first_name": "Anna", "last_name": "Müller", "date_of_birth": "1990-04-12",
        "address": "Neue Straße 2", "phone": "0151 000000", "phone_safe_to_call": "on",
    })  # fmt: skip
    assert response.status_code == 302
    anna.refresh_from_db()
    assert anna.address == "Neue Straße 2" and anna.phone_safe_to_call


def test_edit_form_names_the_field(client, world, police_case):
    anna = _anna(police_case)
    login(client, world.polizist)
    url = reverse("cases:person_edit", args=[police_case.pk, anna.pk])
    response = client.post(url, {"first_name": "", "last_name": "", "date_of_birth": "2999-01-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nachname" in body and "Bitte geben Sie einen Namen" in body
    response = client.post(url, {"last_name": "Müller", "date_of_birth": "2999-01-01"})
    assert response.status_code == 400 and "Geburtsdatum: Das Geburtsdatum liegt in der Zukunft" in (
        response.content.decode()
    )
    anna.refresh_from_db()
    assert anna.first_name == "Anna" and anna.date_of_birth == ANNA_DOB


def test_edit_form_reports_a_repeat(client, world, police_case):
    case = _other_case(world.beraterin, "Ana", "Miller")
    login(client, world.beraterin)
    response = client.post(reverse("cases:person_edit", args=[case.pk, _anna(case).pk]),
                           {"first_name": "Anna", "last_name": "Müller", "date_of_birth": "1990-04-12"},
                           follow=True)  # fmt: skip
    body = response.content.decode()
    assert "Wiederholungsfall erkannt" in body and police_case.number in body


def test_detail_page_links_corrections_only_for_managers(client, world, shared_with_beratung):
    anna = _anna(shared_with_beratung)
    edit = reverse("cases:person_edit", args=[shared_with_beratung.pk, anna.pk])
    login(client, world.polizist)
    assert edit in client.get(reverse("cases:detail", args=[shared_with_beratung.pk])).content.decode()
    client.logout()
    login(client, world.beraterin)
    body = client.get(reverse("cases:detail", args=[shared_with_beratung.pk])).content.decode()
    assert "Anna" in body and edit not in body


@pytest.mark.parametrize("name", ["cases:person_edit", "cases:person_remove"])
def test_sharing_organisation_gets_403_and_foreign_case_404(client, world, shared_with_beratung, name):
    anna = _anna(shared_with_beratung)
    url = reverse(name, args=[shared_with_beratung.pk, anna.pk])
    login(client, world.beraterin)
    assert client.get(url).status_code == 403
    assert client.post(url, {"last_name": "X", "reason": "duplicate"}).status_code == 403
    client.logout()
    login(client, world.jugendamt_fk)  # takes no part in the case
    assert client.post(url, {"last_name": "X", "reason": "duplicate"}).status_code == 404
    anna.refresh_from_db()
    assert anna.last_name == "Müller"


@pytest.mark.parametrize("name", ["cases:person_edit", "cases:person_remove"])
def test_person_of_another_case_answers_404(client, world, police_case, name):
    """A manager of one case cannot reach another organisation's person through their own case's URL."""
    foreign = _other_case(world.beraterin, "Fanny", "Fremd")
    login(client, world.polizist)
    url = reverse(name, args=[police_case.pk, _anna(foreign).pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"last_name": "X", "reason": "duplicate"}).status_code == 404
    assert _anna(foreign).last_name == "Fremd"


def test_remove_view(client, world, police_case):
    ben = _child(police_case)
    login(client, world.polizist)
    url = reverse("cases:person_remove", args=[police_case.pk, ben.pk])
    body = client.get(url).content.decode()
    assert "Alle Angaben zu Ben Müller" in body
    assert "<title>Person entfernen: Kind" in body and "Müller –" not in body.split("</title>")[0]
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Grund für das Entfernen" in response.content.decode()
    assert Person.objects.filter(pk=ben.pk).exists()
    assert client.post(url, {"reason": "wrong_case"}).status_code == 302
    assert not Person.objects.filter(pk=ben.pk).exists()
    assert AuditEntry.objects.filter(action="case.person.remove.wrong_case").count() == 1


def test_persons_section_not_shared_means_no_person_reachable(world, police_case):
    """Sanity: the sharing organisation's access to persons comes only from the shared section."""
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.KKG_4)
    services.share_case(world.polizist, police_case, world.beratung, [Section.RISK])
    from django.http import Http404

    from schutznetz.cases import queries

    case = queries.access_case(world.beraterin, police_case.pk)
    with pytest.raises(Http404):
        queries.person_of(world.beraterin, case, _anna(police_case).pk)
