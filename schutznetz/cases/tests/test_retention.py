import datetime
import io

from django.core.management import call_command
from django.utils import timezone

from schutznetz.cases import services
from schutznetz.cases.models import Case, CloseReason, Person


def _close_long_ago(world, case, days):
    services.close_case(world.polizist, case, CloseReason.RISK_REDUCED)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - datetime.timedelta(days=days))


def test_closing_needs_a_reason(world, police_case):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.close_case(world.polizist, police_case, "")
    assert "reason" in exc.value.message_dict
    police_case.refresh_from_db()
    assert police_case.is_open


def test_dry_run_shows_and_run_erases_identity_keeping_statistics(world, police_case, settings):
    settings.SCHUTZNETZ_CASE_RETENTION_DAYS = 730
    services.assess_risk(world.polizist, police_case, "partnergewalt", {"weapons": True, "separation": True,
                                                                         "escalation": True, "stalking": True})  # fmt: skip
    recent, _ = services.create_case(world.polizist, category="stalking", persons=[
        {"role": "at_risk", "first_name": "Clara", "last_name": "Beispiel"}])  # fmt: skip
    _close_long_ago(world, police_case, 800)
    _close_long_ago(world, recent, 100)
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "cases.identity: 1" in out.getvalue()
    assert Person.objects.get(case=police_case, role="at_risk").first_name == "Anna"
    call_command("apply_retention", stdout=io.StringIO())
    anna = Person.objects.get(case=police_case, role="at_risk")
    assert (anna.first_name, anna.last_name, anna.date_of_birth, anna.phone, anna.identity_index) == (
        "",
        "",
        None,
        "",
        "",
    )
    assert Person.objects.get(case=recent).first_name == "Clara"
    case = Case.objects.get(pk=police_case.pk)
    assert case.identity_erased_at is not None
    assert (case.category, case.municipality, case.children_count, case.risk_band) == (
        "haeusliche_gewalt",
        "Soest",
        1,
        "medium",
    )
    assert case.bringing_organisation == world.police and case.closed_at is not None
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "cases.identity: 0" in out.getvalue()


def test_legal_hold_suspends_erasure(world, police_case):
    _close_long_ago(world, police_case, 800)
    services.set_legal_hold(world.datenschutz, police_case, True, "Strafverfahren anhängig")
    call_command("apply_retention", stdout=io.StringIO())
    assert Person.objects.get(case=police_case, role="at_risk").first_name == "Anna"
