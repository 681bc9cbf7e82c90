import datetime

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schutznetz.cases import services
from schutznetz.cases.models import DeadlineKind, ReminderSent
from schutznetz.cases.services import return_ban_end

D = datetime.date


def test_return_ban_ends_ten_days_after_order():
    assert return_ban_end(D(2026, 3, 1)) == D(2026, 3, 11)
    # across a month and a year boundary
    assert return_ban_end(D(2026, 2, 25)) == D(2026, 3, 7)
    assert return_ban_end(D(2026, 12, 28)) == D(2027, 1, 7)


def test_application_in_time_extends_until_court_decision():
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 5), D(2026, 3, 15)) == D(2026, 3, 15)


def test_extension_is_capped_at_ten_more_days():
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 5)) == D(2026, 3, 21)
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 5), D(2026, 4, 2)) == D(2026, 3, 21)


def test_application_on_the_last_day_still_counts_but_later_does_not():
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 11)) == D(2026, 3, 21)
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 12)) == D(2026, 3, 11)


def test_early_court_decision_does_not_shorten_the_ban():
    assert return_ban_end(D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 4)) == D(2026, 3, 11)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ordered=st.dates(D(2020, 1, 1), D(2030, 1, 1)),
    filed_after=st.integers(0, 20),
    decided_after=st.one_of(st.none(), st.integers(0, 40)),
)
def test_return_ban_is_between_ten_and_twenty_days(ordered, filed_after, decided_after):
    filed = ordered + datetime.timedelta(days=filed_after)
    decided = None if decided_after is None else ordered + datetime.timedelta(days=decided_after)
    end = return_ban_end(ordered, filed, decided)
    assert ordered + datetime.timedelta(days=10) <= end <= ordered + datetime.timedelta(days=20)
    if filed_after > 10:
        assert end == ordered + datetime.timedelta(days=10)


def test_return_ban_deadline_is_extended_by_the_service(world, police_case):
    deadline = services.add_deadline(
        world.polizist, police_case, kind=DeadlineKind.RETURN_BAN, ordered_on=D(2026, 3, 1)
    )
    assert deadline.due_date == D(2026, 3, 11)
    services.update_return_ban(world.polizist, deadline, application_filed_on=D(2026, 3, 6))
    deadline.refresh_from_db()
    assert deadline.due_date == D(2026, 3, 21)
    services.update_return_ban(
        world.polizist, deadline, application_filed_on=D(2026, 3, 6), court_decision_on=D(2026, 3, 17)
    )
    deadline.refresh_from_db()
    assert deadline.due_date == D(2026, 3, 17)


def test_return_ban_needs_the_order_date(world, police_case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.add_deadline(world.polizist, police_case, kind=DeadlineKind.RETURN_BAN)
    assert "ordered_on" in exc.value.message_dict


def test_reminders_are_sent_once_without_content(world, police_case, mailoutbox, settings):
    from django.utils import timezone

    today = timezone.localdate()
    services.add_deadline(
        world.polizist,
        police_case,
        kind=DeadlineKind.COURT_HEARING,
        due_date=today + datetime.timedelta(days=3),
    )
    services.add_deadline(
        world.polizist, police_case, kind=DeadlineKind.REVIEW_8A, due_date=today + datetime.timedelta(days=30)
    )
    mailoutbox.clear()
    call_command("send_deadline_reminders")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["polizist@example.org"]
    assert police_case.number not in mail.body and "Müller" not in mail.body and "Anna" not in mail.body
    assert f"/intern/faelle/{police_case.pk}/" in mail.body
    call_command("send_deadline_reminders")
    assert len(mailoutbox) == 1
    assert ReminderSent.objects.count() == 1


def test_moved_deadline_gets_a_new_reminder(world, police_case, mailoutbox):
    from django.utils import timezone

    today = timezone.localdate()
    deadline = services.add_deadline(
        world.polizist,
        police_case,
        kind=DeadlineKind.RETURN_BAN,
        ordered_on=today - datetime.timedelta(days=5),
    )
    call_command("send_deadline_reminders")
    services.update_return_ban(world.polizist, deadline, application_filed_on=today)
    call_command("send_deadline_reminders")  # now 15 days ahead: nothing yet
    assert ReminderSent.objects.filter(deadline=deadline).count() == 1
    services.update_return_ban(
        world.polizist,
        deadline,
        application_filed_on=today,
        court_decision_on=today + datetime.timedelta(days=6),
    )
    call_command("send_deadline_reminders")
    assert ReminderSent.objects.filter(deadline=deadline).count() == 2


def test_no_reminder_to_an_organisation_that_no_longer_takes_part(world, police_case, mailoutbox):
    from django.utils import timezone

    from schutznetz.cases.models import LegalBasisKind, Section

    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.share_case(world.polizist, police_case, world.beratung, [Section.DEADLINES])
    services.add_deadline(
        world.beraterin,
        police_case,
        kind=DeadlineKind.COURT_HEARING,
        due_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    services.end_participation(world.polizist, police_case, world.beratung)
    mailoutbox.clear()
    call_command("send_deadline_reminders")
    assert [mail.to for mail in mailoutbox] == []
    assert not ReminderSent.objects.exists()

    # Taking part again (its legal basis still stands): the reminder goes out.
    services.share_case(world.polizist, police_case, world.beratung, [Section.DEADLINES])
    mailoutbox.clear()
    call_command("send_deadline_reminders")
    assert [(mail.to, mail.subject) for mail in mailoutbox] == [
        (["beraterin@example.org"], "schutznetz: Frist läuft bald ab")
    ]
