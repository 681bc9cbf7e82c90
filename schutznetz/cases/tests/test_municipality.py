"""A case's municipality is one of the region's towns (the directory's list), not free text."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import services
from schutznetz.cases.models import Case, Category, ChronologyEntry
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login

migration = importlib.import_module("schutznetz.cases.migrations.0005_municipality_names")

REASON = "Wohnort beim Anlegen falsch erfasst"
PERSON = {"role": "at_risk", "first_name": "Frida", "last_name": "Ortstest"}


def _audit(action):
    return AuditEntry.objects.filter(action=action).count()


def _by_place():
    from schutznetz.reports.measures import Period, Scope, cases_by_municipality

    [table] = cases_by_municipality(Period(timezone.localdate().year), Scope()).tables
    return dict(zip(table.rows, table.values, strict=True))


def test_the_region_is_the_single_source(region):
    """The select, the service and the statistics all use the directory's 14 towns of Kreis Soest."""
    from schutznetz.cases.municipalities import municipality_choices

    assert len(region) == 14 and {"Soest", "Lippstadt", "Bad Sassendorf", "Wickede (Ruhr)"} <= set(region)
    assert [value for value, _label in municipality_choices()] == ["", *region]
    assert list(_by_place())[:14] == region


# --- services ----------------------------------------------------------------------------------------


def test_create_case_accepts_a_town_or_nothing_and_trims(world):
    case, _ = services.create_case(world.polizist, category=Category.STALKING, municipality=" Lippstadt ")
    assert case.municipality == "Lippstadt"
    case, _ = services.create_case(world.polizist, category=Category.STALKING)
    assert case.municipality == ""


@pytest.mark.parametrize("value", ["Lippstadt-Nord", "soest", "Hamm", "x" * 300])
def test_create_case_refuses_an_unknown_town_naming_the_field(world, value):
    with pytest.raises(ValidationError) as exc:
        services.create_case(world.polizist, category=Category.STALKING, municipality=value, persons=[PERSON])
    [message] = exc.value.message_dict["municipality"]
    assert "keine Stadt oder Gemeinde des Kreises" in message and value[:100] in message
    assert not Case.objects.exists() and _audit("case.create") == 0


def test_create_case_names_both_bad_fields(world):
    with pytest.raises(ValidationError) as exc:
        services.create_case(world.polizist, category="unsinn", municipality="Paderborn")
    assert set(exc.value.message_dict) == {"category", "municipality"}
    assert not Case.objects.exists()


def test_correction_refuses_an_unknown_town_and_changes_nothing(world, police_case):
    with pytest.raises(ValidationError) as exc:
        services.correct_case(
            world.polizist, police_case, category=Category.STALKING, municipality="Soest-Ost", reason=REASON
        )
    assert "„Soest-Ost“" in exc.value.message_dict["municipality"][0]
    police_case.refresh_from_db()
    assert (police_case.category, police_case.municipality) == (Category.HAEUSLICHE_GEWALT, "Soest")
    assert _audit("case.correct") == 0 and not ChronologyEntry.objects.filter(case=police_case).exists()


def test_an_earlier_free_text_is_kept_while_unchanged_and_replaced_only_by_a_town(world, police_case):
    Case.objects.filter(pk=police_case.pk).update(municipality="Lippstadt-Nord")  # from before the list
    police_case.refresh_from_db()
    fields = services.correct_case(
        world.polizist, police_case, category=Category.STALKING, municipality="Lippstadt-Nord", reason=REASON
    )
    assert fields == ["category"]
    with pytest.raises(ValidationError):
        services.correct_case(
            world.polizist,
            police_case,
            category=Category.STALKING,
            municipality="Lippstadt Süd",
            reason=REASON,
        )
    assert services.correct_case(
        world.polizist, police_case, category=Category.STALKING, municipality="Lippstadt", reason=REASON
    ) == ["municipality"]
    police_case.refresh_from_db()
    assert police_case.municipality == "Lippstadt"


# --- forms and views ---------------------------------------------------------------------------------


def test_the_create_form_shows_a_select_of_the_towns(client, world, region):
    login(client, world.polizist)
    body = client.get(reverse("cases:create")).content.decode()
    assert '<select name="municipality"' in body and 'for="id_municipality"' in body
    assert '<option value="" selected>– nicht angegeben –</option>' in body
    for name in region:
        assert f'<option value="{name}">{name}</option>' in body


def test_the_create_form_refuses_an_unknown_town(client, world):
    login(client, world.polizist)
    response = client.post(
        reverse("cases:create"), {"category": "stalking", "municipality": "Hamm", **PERSON}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Stadt/Gemeinde" in body and "kern-error" in body and "Hamm" in body
    assert not Case.objects.exists() and _audit("case.create") == 0


def test_a_case_created_through_the_form_counts_under_its_town(client, world):
    before = _by_place()
    login(client, world.polizist)
    response = client.post(
        reverse("cases:create"), {"category": "stalking", "municipality": "Bad Sassendorf", **PERSON}
    )
    assert response.status_code == 302
    assert Case.objects.get().municipality == "Bad Sassendorf"
    after = _by_place()
    assert after["Bad Sassendorf"] == before["Bad Sassendorf"] + 1
    assert after["außerhalb des Kreises"] == before["außerhalb des Kreises"]


def test_the_correction_form_works_with_the_select(client, world, police_case):
    url = reverse("cases:correct", args=[police_case.pk])
    client = login(Client(), world.polizist)
    body = client.get(url).content.decode()
    assert '<select name="municipality"' in body and '<option value="Soest" selected>Soest</option>' in body
    response = client.post(url, {"category": Category.HAEUSLICHE_GEWALT, "municipality": "Nirgendwo",
                                 "reason": REASON})  # fmt: skip
    assert response.status_code == 400 and "Stadt/Gemeinde" in response.content.decode()
    police_case.refresh_from_db()
    assert police_case.municipality == "Soest" and _audit("case.correct") == 0
    response = client.post(
        url, {"category": Category.HAEUSLICHE_GEWALT, "municipality": "Werl", "reason": REASON}
    )
    assert response.status_code == 302
    police_case.refresh_from_db()
    assert police_case.municipality == "Werl" and _audit("case.correct") == 1
    response = client.post(
        url, {"category": Category.HAEUSLICHE_GEWALT, "municipality": "", "reason": REASON}
    )
    police_case.refresh_from_db()
    assert response.status_code == 302 and police_case.municipality == ""


def test_the_correction_form_offers_an_earlier_free_text_so_it_is_not_lost(client, world, police_case):
    Case.objects.filter(pk=police_case.pk).update(municipality="Lippstadt-Nord")
    url = reverse("cases:correct", args=[police_case.pk])
    client = login(Client(), world.polizist)
    body = client.get(url).content.decode()
    assert '<option value="Lippstadt-Nord" selected>Lippstadt-Nord (frühere Angabe' in body
    response = client.post(
        url, {"category": Category.STALKING, "municipality": "Lippstadt-Nord", "reason": REASON}
    )
    assert response.status_code == 302
    police_case.refresh_from_db()
    assert (police_case.category, police_case.municipality) == (Category.STALKING, "Lippstadt-Nord")


def test_the_api_shows_the_municipality_read_only(client, world, police_case):
    """The API takes no municipality (cases are read-only there), so it cannot store an unknown one."""
    login(client, world.polizist)
    assert client.get(f"/api/v1/cases/{police_case.pk}/").json()["municipality"] == "Soest"
    response = client.patch(
        f"/api/v1/cases/{police_case.pk}/", {"municipality": "Hamm"}, content_type="application/json"
    )
    assert response.status_code in (403, 405)
    police_case.refresh_from_db()
    assert police_case.municipality == "Soest"


# --- data migration ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("soest ", "Soest"),
        ("  SOEST", "Soest"),
        ("Bad Sassendorf", "Bad Sassendorf"),
        ("bad-sassendorf", "Bad Sassendorf"),
        ("Bad  sassendorf", "Bad Sassendorf"),
        ("bad_sassendorf", "Bad Sassendorf"),
        ("moehnesee", "Möhnesee"),
        ("MÖHNESEE", "Möhnesee"),
        ("Ruethen", "Rüthen"),
        ("wickede ruhr", "Wickede (Ruhr)"),
        ("Wickede-(Ruhr)", "Wickede (Ruhr)"),
        # not guessed: a district, a short form, a town outside the Kreis, a typo, nothing
        ("Lippstadt-Nord", "Lippstadt-Nord"),
        ("Wickede", "Wickede"),
        ("Hamm", "Hamm"),
        ("Sost", "Sost"),
        ("Soest/Werl", "Soest/Werl"),
        ("", ""),
        ("  ", "  "),
    ],
)
def test_the_migration_maps_spellings_and_leaves_anything_else(value, expected):
    names = [
        "Anröchte",
        "Bad Sassendorf",
        "Lippstadt",
        "Möhnesee",
        "Rüthen",
        "Soest",
        "Werl",
        "Wickede (Ruhr)",
    ]
    assert migration.canonical_municipality(value, names) == expected


def test_the_migration_leaves_an_ambiguous_spelling_alone():
    assert migration.canonical_municipality("bad sassendorf", ["Bad Sassendorf", "Bad-Sassendorf"]) == (
        "bad sassendorf"
    )


def test_the_migration_rewrites_the_rows(world, region):
    values = ["soest ", "BAD-SASSENDORF", "Lippstadt-Nord", "Werl", "", "wickede ruhr"]
    cases = [services.create_case(world.polizist, category=Category.STALKING)[0] for _value in values]
    for case, value in zip(cases, values, strict=True):
        Case.objects.filter(pk=case.pk).update(municipality=value)
    migration.spell_as_the_list(apps, None)
    assert [Case.objects.get(pk=case.pk).municipality for case in cases] == [
        "Soest", "Bad Sassendorf", "Lippstadt-Nord", "Werl", "", "Wickede (Ruhr)",
    ]  # fmt: skip
