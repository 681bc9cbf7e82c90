import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError

from schutznetz.cases import instruments, services
from schutznetz.cases.models import AgendaReason, Referral, RiskBand, Section


def test_shipped_instruments_load_with_disclaimer():
    loaded = instruments.load_instruments()
    ipv = loaded["partnergewalt"]
    child = loaded["kinderschutz"]
    assert 18 <= len(ipv.items) <= 22
    ids = {item.id for item in ipv.items}
    for factor in (
        "strangulation",
        "threats_to_kill",
        "separation",
        "escalation",
        "weapons",
        "stalking",
        "pregnancy",
        "child_contact",
        "substance_abuse",
        "violence_against_others",
        "victim_fear",
    ):
        assert factor in ids
    for instrument in (ipv, child):
        assert "kein validiertes" in instrument.disclaimer.lower()
        assert all(item.help for item in instrument.items)


def test_bands_follow_thresholds_and_critical_items():
    ipv = instruments.get_instrument("partnergewalt")
    assert ipv.band_for({}) == RiskBand.STANDARD
    assert (
        ipv.band_for({"separation": True, "escalation": True, "stalking": True, "pregnancy": True})
        == "medium"
    )
    assert ipv.band_for({"strangulation": True}) == RiskBand.HIGH


def test_new_instrument_is_a_yaml_file_without_code(tmp_path):
    (tmp_path / "stalking.yaml").write_text(
        "id: stalking-test\ntitle: Test\nitems:\n  - {id: a, text: Frage A, weight: 2}\n"
        "  - {id: b, text: Frage B, weight: 3}\nbands:\n  - {band: standard, min_score: 0}\n"
        "  - {band: high, min_score: 5}\n",
        encoding="utf-8",
    )
    loaded = instruments.load_instruments([instruments.BUILTIN_DIR, tmp_path])
    test = loaded["stalking-test"]
    assert test.band_for({"a": True}) == "standard"
    assert test.band_for({"a": True, "b": True}) == "high"
    assert "partnergewalt" in loaded


def test_broken_instrument_is_named(tmp_path):
    (tmp_path / "kaputt.yaml").write_text(
        "id: x\ntitle: X\nitems: []\nbands:\n  - {band: extrem, min_score: 0}\n"
    )
    with pytest.raises(ImproperlyConfigured, match="kaputt.yaml"):
        instruments.load_instruments([tmp_path])


def test_judgement_may_raise_with_reason_never_lower(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.assess_risk(world.polizist, police_case, "partnergewalt", {"strangulation": True},
                             judgement_band=RiskBand.MEDIUM, reason="wirkt ruhiger")  # fmt: skip
    assert "judgement_band" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.assess_risk(world.polizist, police_case, "partnergewalt", {}, judgement_band=RiskBand.MEDIUM)
    assert "reason" in exc.value.message_dict
    assessment = services.assess_risk(world.polizist, police_case, "partnergewalt", {},
                                      judgement_band=RiskBand.MEDIUM, reason="Drohungen gegenüber Nachbarn")  # fmt: skip
    assert (assessment.computed_band, assessment.final_band) == ("standard", "medium")
    police_case.refresh_from_db()
    assert police_case.risk_band == "medium" and police_case.proposed_at is None


def test_high_band_proposes_case_for_next_conference(world, police_case, mailoutbox):
    services.assess_risk(world.polizist, police_case, "partnergewalt", {"threats_to_kill": True})
    police_case.refresh_from_db()
    assert police_case.risk_band == "high"
    assert police_case.proposed_at is not None
    assert Referral.objects.filter(case=police_case, to_organisation__isnull=True).exists()
    assert any(m.to == ["mod@example.org"] for m in mailoutbox)
    conference = services.create_conference(
        world.moderation, date=police_case.created_at.date(), invited_organisations=[world.police]
    )
    items = services.build_agenda(world.moderation, conference)
    assert [(i.case, i.reason) for i in items] == [(police_case, AgendaReason.PROPOSED)]


def test_risk_needs_the_risk_section(world, shared_with_beratung):
    with pytest.raises(PermissionDenied):
        services.assess_risk(world.beraterin, shared_with_beratung, "partnergewalt", {})
    services.share_case(world.polizist, shared_with_beratung, world.beratung, [Section.RISK])
    services.assess_risk(world.beraterin, shared_with_beratung, "partnergewalt", {})
