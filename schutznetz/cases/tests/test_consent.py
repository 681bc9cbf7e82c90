import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from schutznetz.cases import services
from schutznetz.cases.models import LegalBasisKind, Participation, Section, SectionShare
from schutznetz.core.models import AuditEntry


def test_sharing_without_legal_basis_is_refused_and_changes_nothing(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    assert "Frauenberatung Test" in exc.value.messages[0]
    assert "Rechtsgrundlage" in exc.value.messages[0]
    assert not Participation.objects.filter(case=police_case, organisation=world.beratung).exists()
    assert not SectionShare.objects.exists()


def test_referral_without_legal_basis_is_refused(world, police_case):
    with pytest.raises(ValidationError, match="Rechtsgrundlage"):
        services.create_referral(world.polizist, police_case, world.beratung)


def test_consent_needs_date_scope_and_giver(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.CONSENT)
    assert set(exc.value.message_dict) == {"consent_date", "consent_scope", "consent_given_by"}


def test_high_risk_needs_written_justification(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.record_legal_basis(world.polizist, police_case, world.jugendamt, LegalBasisKind.HIGH_RISK)
    assert "justification" in exc.value.message_dict
    basis = services.record_legal_basis(
        world.polizist, police_case, world.jugendamt, LegalBasisKind.HIGH_RISK,
        justification="Morddrohung und Würgen in der letzten Woche, Einwilligung nicht erreichbar.",
    )  # fmt: skip
    assert basis.is_active


def test_polg_34a_only_for_police_cases(world):
    case, _ = services.create_case(world.beraterin, category="stalking", persons=[])
    with pytest.raises(ValidationError) as exc:
        services.record_legal_basis(world.beraterin, case, world.police, LegalBasisKind.POLG_34A)
    assert "kind" in exc.value.message_dict


def test_only_bringing_or_lead_may_share(world, shared_with_beratung):
    services.record_legal_basis(world.polizist, shared_with_beratung, world.jugendamt, LegalBasisKind.KKG_4)
    with pytest.raises(PermissionDenied):
        services.share_case(world.beraterin, shared_with_beratung, world.jugendamt, [Section.PERSONS])


def test_withdrawal_is_logged(world, police_case):
    basis = services.record_legal_basis(
        world.polizist, police_case, world.beratung, LegalBasisKind.CONSENT,
        consent_date=datetime.date.today(), consent_scope="alles", consent_given_by="Betroffene",
    )  # fmt: skip
    services.withdraw_legal_basis(world.polizist, basis)
    entry = AuditEntry.objects.filter(action="case.legal_basis.withdraw").get()
    assert entry.actor == world.polizist and entry.object_id == str(basis.pk)
    with pytest.raises(ValidationError):
        services.withdraw_legal_basis(world.polizist, basis)


def test_transfer_lead_needs_basis(world, police_case):
    with pytest.raises(ValidationError):
        services.transfer_lead(world.polizist, police_case, world.beratung)
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.transfer_lead(world.polizist, police_case, world.beratung)
    police_case.refresh_from_db()
    assert police_case.lead_organisation == world.beratung
