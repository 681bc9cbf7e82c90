import datetime

from django.utils import timezone

from schutznetz.cases import services
from schutznetz.cases.models import Case, PersonRole, RepeatMatch


def _new_case(user, first, last, dob):
    return services.create_case(
        user, category="haeusliche_gewalt",
        persons=[{"role": PersonRole.AT_RISK, "first_name": first, "last_name": last, "date_of_birth": dob}],
    )  # fmt: skip


def test_spelling_variants_match(world, police_case, mailoutbox):
    mailoutbox.clear()
    case, notices = _new_case(world.beraterin, "anna", "mueller", datetime.date(1990, 4, 12))
    assert case.is_repeat
    [notice] = notices
    assert notice.earlier_case_number == police_case.number
    assert notice.lead_organisation == "Polizei Test"
    assert notice.last_conferenced_on is None
    # the referring organisation does not take part: no link, the chair is told without content
    assert notice.earlier_case_id is None
    assert RepeatMatch.objects.get(case=case).chair_notified
    [mail] = [m for m in mailoutbox if m.to == ["mod@example.org"]]
    assert "Müller" not in mail.body and "Anna" not in mail.body and police_case.number not in mail.body


def test_comma_order_and_case_do_not_matter(world, police_case):
    _case, notices = _new_case(world.polizist, "MÜLLER,", "Anna", datetime.date(1990, 4, 12))
    assert [n.earlier_case_id for n in notices] == [police_case.pk]  # police takes part: may open it


def test_different_date_of_birth_does_not_match(world, police_case):
    case, notices = _new_case(world.beraterin, "Anna", "Müller", datetime.date(1990, 4, 13))
    assert notices == [] and not case.is_repeat


def test_old_cases_outside_twelve_months_do_not_match(world, police_case):
    Case.objects.filter(pk=police_case.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    _case, notices = _new_case(world.beraterin, "Anna", "Müller", datetime.date(1990, 4, 12))
    assert notices == []
    # ... unless the case was conferenced within the last 12 months
    Case.objects.filter(pk=police_case.pk).update(
        last_conferenced_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    _case, notices = _new_case(world.beraterin, "Anna", "Müller", datetime.date(1990, 4, 12))
    by_number = {n.earlier_case_number: n.last_conferenced_on for n in notices}
    assert by_number[police_case.number] == timezone.localdate() - datetime.timedelta(days=30)


def test_blind_index_holds_no_plaintext(world, police_case):
    person = police_case.persons.get(role=PersonRole.AT_RISK)
    assert len(person.identity_index) == 64
    assert "anna" not in person.identity_index.lower()


def test_names_are_encrypted_in_the_database(world, police_case):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, last_name, phone, address FROM cases_person")
        rows = cursor.fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    assert "Anna" not in flat and "Müller" not in flat and "0151" not in flat and "Musterweg" not in flat
    assert flat.count("v1:") >= 4
