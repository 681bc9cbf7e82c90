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


def test_shipped_instruments_are_complete_in_english():
    from django.utils import translation

    for instrument in instruments.load_instruments([instruments.BUILTIN_DIR]).values():
        texts = [
            instrument.title,
            instrument.disclaimer,
            *(t for item in instrument.items for t in (item.text, item.help)),
        ]
        assert all(text.translations.get("en") for text in texts), instrument.id
        with translation.override("en"):
            english = [str(text) for text in texts]
        with translation.override("de"):
            german = [str(text) for text in texts]
        assert german == [str.__str__(text) for text in texts]  # the German text is the string itself
        assert not set(english) & set(german)


def test_a_translation_sits_beside_the_text_and_german_is_the_fallback(tmp_path):
    from django.template import Context, Template
    from django.utils import translation

    (tmp_path / "kurz.yaml").write_text(
        'id: kurz\ntitle: "Kurzliste"\ntitle_en: "Short list"\n'
        "items:\n"
        '  - {id: a, text: "Frage <eins>", text_en: "Question <one>", help: "Nur deutsch"}\n'
        "bands:\n  - {band: standard, min_score: 0}\n",
        encoding="utf-8",
    )
    short = instruments.load_instruments([tmp_path])["kurz"]
    [item] = short.items
    with translation.override("en"):
        assert str(short.title) == "Short list" and str(item.help) == "Nur deutsch"
        # Templates use the active language and still escape.
        assert Template("{{ t }}").render(Context({"t": item.text})) == "Question &lt;one&gt;"
    with translation.override("de"):
        assert str(item.text) == "Frage <eins>" and str(short.disclaimer) == ""


def test_the_english_risk_page_asks_in_english(client, world, police_case):
    from django.urls import reverse

    from schutznetz.testing.factories import login

    login(client, world.polizist)
    url = reverse("cases:risk", args=[police_case.pk, "partnergewalt"])
    english = client.get("/en" + url).content.decode()
    assert "Checklist for violence in intimate relationships" in english
    assert "Has the person posing the risk ever strangled" in english
    assert "not a validated actuarial prediction tool" in english
    assert "gewürgt" not in english
    german = client.get(url).content.decode()
    assert "gewürgt" in german and "strangled" not in german
    # The answers are the same whichever language they were given in.
    response = client.post("/en" + url, {"item_strangulation": "on"})
    assert response.status_code == 302
    assessment = police_case.risk_assessments.get()
    assert assessment.answers["strangulation"] is True and assessment.computed_band == RiskBand.HIGH
