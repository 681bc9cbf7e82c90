"""Correcting a case's category and municipality after creation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import services
from schutznetz.cases.models import Case, Category, ChronologyEntry, ChronologyKind
from schutznetz.cases.tests.conftest import ANNA
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login

REASON = "Beim Anlegen die falsche Kategorie gewählt"


def _audit():
    return list(AuditEntry.objects.filter(action="case.correct"))


def _state(case):
    case.refresh_from_db()
    return case.category, case.municipality


# --- services ----------------------------------------------------------------------------------------


def test_correction_saves_audits_changed_field_names_and_keeps_the_reason(world, police_case):
    number = police_case.number
    fields = services.correct_case(
        world.polizist, police_case, category=Category.STALKING, municipality=" Lippstadt ", reason=REASON
    )
    assert fields == ["category", "municipality"]
    assert _state(police_case) == (Category.STALKING, "Lippstadt")
    assert police_case.number == number  # the number does not depend on the category
    [entry] = _audit()
    assert entry.changed_fields == ["category", "municipality"] and entry.object_id == str(police_case.pk)
    assert all(REASON not in name and "Lippstadt" not in name for name in entry.changed_fields)
    [note] = ChronologyEntry.objects.filter(case=police_case)
    assert note.kind == ChronologyKind.EVENT and note.date == timezone.localdate()
    assert note.text == f"Korrektur: Kategorie, Stadt/Gemeinde. Grund: {REASON}"
    assert note.organisation == world.police and note.created_by == world.polizist


def test_only_the_changed_fields_are_recorded(world, police_case):
    fields = services.correct_case(
        world.polizist, police_case, category=police_case.category, municipality="Werl", reason=REASON
    )
    assert fields == ["municipality"]
    [entry] = _audit()
    assert entry.changed_fields == ["municipality"]
    assert ChronologyEntry.objects.get(case=police_case).text.startswith("Korrektur: Stadt/Gemeinde.")


def test_nothing_changed_saves_and_records_nothing(world, police_case):
    assert (
        services.correct_case(
            world.polizist, police_case, category=police_case.category, municipality="Soest", reason=REASON
        )
        == []
    )
    assert _audit() == [] and not ChronologyEntry.objects.exists()


def test_a_reason_is_required_and_nothing_changes_without(world, police_case):
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            services.correct_case(
                world.polizist, police_case, category=Category.STALKING, municipality="Werl", reason=reason
            )
        assert set(exc.value.message_dict) == {"reason"}
        assert "Grund" in exc.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as exc:
        services.correct_case(world.polizist, police_case, category="unsinn", municipality="x" * 101,
                              reason=REASON)  # fmt: skip
    assert set(exc.value.message_dict) == {"category", "municipality"}
    assert _state(police_case) == (Category.HAEUSLICHE_GEWALT, "Soest")
    assert _audit() == [] and not ChronologyEntry.objects.exists()


def test_only_who_may_manage_the_case_may_correct(world, shared_with_beratung, mailoutbox):
    case = shared_with_beratung
    # the Frauenberatung takes part and sees the persons, the chair sees it on its agenda: neither manages it
    services.propose_for_conference(world.polizist, case)
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.build_agenda(world.moderation, conference)
    for actor in (
        world.beraterin,
        world.moderation,
        world.jugendamt_fk,
        world.koordination,
        world.datenschutz,
    ):
        with pytest.raises(PermissionDenied):
            services.correct_case(actor, case, category=Category.STALKING, municipality="Werl", reason=REASON)
    assert _state(case) == (Category.HAEUSLICHE_GEWALT, "Soest") and _audit() == []
    # the organisation the lead was handed to may correct it
    services.transfer_lead(world.polizist, case, world.beratung)
    services.correct_case(
        world.beraterin, case, category=Category.STALKING, municipality="Werl", reason=REASON
    )
    assert _state(case) == (Category.STALKING, "Werl")


def test_a_closed_case_is_refused(world, police_case):
    services.close_case(world.polizist, police_case, "risk_reduced")
    with pytest.raises(ValidationError, match="abgeschlossen"):
        services.correct_case(
            world.polizist, police_case, category=Category.STALKING, municipality="Werl", reason=REASON
        )
    # who may not see the case learns nothing, not even that it is closed
    with pytest.raises(PermissionDenied):
        services.correct_case(
            world.jugendamt_fk, police_case, category=Category.STALKING, municipality="Werl", reason=REASON
        )
    assert _state(police_case) == (Category.HAEUSLICHE_GEWALT, "Soest") and _audit() == []


def test_statistics_and_repeat_detection_follow_the_correction(world, police_case):
    from schutznetz.reports.measures import Period, Scope, cases_by_category, cases_by_municipality

    services.correct_case(
        world.polizist, police_case, category=Category.STALKING, municipality="Lippstadt", reason=REASON
    )
    period, scope = Period(timezone.localdate().year), Scope()
    [by_category] = cases_by_category(period, scope).tables
    counts = dict(zip(by_category.rows, by_category.values, strict=True))
    assert counts[Category.STALKING.label] == 1 and counts[Category.HAEUSLICHE_GEWALT.label] == 0
    [by_place] = cases_by_municipality(period, scope).tables
    counts = dict(zip(by_place.rows, by_place.values, strict=True))
    assert counts["Lippstadt"] == 1 and counts["Soest"] == 0
    # repeat detection matches persons, not the category
    repeat, notices = services.create_case(
        world.polizist, category=Category.HAEUSLICHE_GEWALT, persons=[ANNA]
    )
    assert [n.earlier_case_number for n in notices] == [police_case.number] and repeat.is_repeat


# --- views -------------------------------------------------------------------------------------------


def _url(case):
    return reverse("cases:correct", args=[case.pk])


def test_correction_view(world, shared_with_beratung):
    case = shared_with_beratung
    assert login(Client(), world.beraterin).get(_url(case)).status_code == 403
    assert login(Client(), world.jugendamt_fk).get(_url(case)).status_code == 404
    client = login(Client(), world.polizist)
    response = client.get(_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("category", "municipality", "reason"):
        assert f'for="id_{name}"' in body
    assert 'value="Soest"' in body and 'value="haeusliche_gewalt" selected' in body
    response = client.post(_url(case), {"category": Category.STALKING, "municipality": "Werl", "reason": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Grund" in body and "kern-error" in body
    response = client.post(_url(case), {"category": "unsinn", "municipality": "Werl", "reason": REASON})
    assert response.status_code == 400 and "Kategorie" in response.content.decode()
    assert _state(case) == (Category.HAEUSLICHE_GEWALT, "Soest") and _audit() == []
    response = client.post(
        _url(case), {"category": Category.STALKING, "municipality": "Werl", "reason": REASON}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[case.pk])
    body = response.content.decode()
    assert "korrigiert" in body and "Stalking" in body and "Werl" in body
    assert _state(case) == (Category.STALKING, "Werl")
    response = client.post(
        _url(case), {"category": Category.STALKING, "municipality": "Werl", "reason": REASON}, follow=True
    )
    assert "Es wurde nichts geändert." in response.content.decode() and len(_audit()) == 1


def test_detail_links_the_correction_for_those_who_manage(world, shared_with_beratung):
    detail = reverse("cases:detail", args=[shared_with_beratung.pk])
    link = _url(shared_with_beratung)
    assert link in login(Client(), world.polizist).get(detail).content.decode()
    assert link not in login(Client(), world.beraterin).get(detail).content.decode()
    services.close_case(world.polizist, shared_with_beratung, "risk_reduced")
    assert link not in login(Client(), world.polizist).get(detail).content.decode()
    assert login(Client(), world.polizist).get(link).status_code == 403
    assert Case.objects.get(pk=shared_with_beratung.pk).category == Category.HAEUSLICHE_GEWALT
