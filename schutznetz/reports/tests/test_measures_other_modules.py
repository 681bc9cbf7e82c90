"""Measures over the directory (shelters, gap analysis) and evidence kits, on hand-made data."""

import datetime as dt

import pytest

from schutznetz.reports import queries
from schutznetz.reports.measures import Period, Scope

from .conftest import at

pytestmark = pytest.mark.django_db


def test_shelter_days_with_a_free_place(orgs):
    from schutznetz.directory.models import Offer, Provider, ShelterReport

    a, _b = orgs
    provider = Provider.objects.create(name="Frauenhaus-Träger", organisation=a)
    shelter = Offer.objects.create(provider=provider, name="Frauenhaus Test", kinds="|frauenhaus|")
    Offer.objects.create(provider=provider, name="Beratung Test", kinds="|frauenberatung|")

    def report(when, free):
        ShelterReport.objects.create(offer=shelter, reported_at=when, free_places=free)

    report(at(2025, 1, 1, 9), 0)
    report(at(2025, 1, 1, 15), 2)  # same day, later a free place: the day counts
    report(at(2025, 1, 2, 9), 1)
    report(at(2025, 1, 3, 9), 0)
    report(at(2024, 12, 30, 9), 3)  # previous year
    result = queries.publish("shelter_availability", Period(2025, 1), Scope())
    assert result.available
    table = result.tables[0]
    assert table.rows == [["Frauenhaus Test", 90, 3, 2]]
    figures = {str(f.label): f.cell.display for f in result.figures}
    assert figures["Tage mit freiem Platz (alle Einrichtungen)"] == "2"
    assert figures["Nicht vermittelte Anfragen"] == "nicht erfasst"


def test_directory_coverage_comes_from_the_gap_analysis(orgs):
    from schutznetz.directory.gaps import gap_analysis

    expected = gap_analysis()
    result = queries.publish("directory_coverage", Period(2025), Scope())
    assert result.available
    table = result.tables[0]
    assert [row[0] for row in table.rows] == [s["label"] for s in expected["standards"]]
    met = sum(1 for s in expected["standards"] if not s["deficit"])
    assert result.figures[0].cell.display == f"{met} / {len(expected['standards'])}"


def test_evidence_kits_per_quarter(orgs):
    from schutznetz.evidence.models import CustodyEvent, ExaminationKind, Kit, Programme

    clinic, storage = orgs
    programme = Programme.objects.create(title="Programm Test", storage_site=storage, retention_years=10)
    kits = []
    for i in range(8):
        kits.append(
            Kit.objects.create(
                code=f"K{i:04d}",
                pin_hash="x",
                programme=programme,
                clinic=clinic,
                examined_at=at(2025, 2 if i < 6 else 5, 1),
                kind=ExaminationKind.values[0],
                retention_until=dt.date(2035, 1, 1),
            )  # fmt: skip
        )
    for seq, (kit, kind, when) in enumerate(
        [
            (kits[0], "released", at(2025, 4, 2)),
            (kits[1], "destroyed", at(2025, 11, 2)),
            (kits[2], "released", at(2024, 4, 2)),
        ]
    ):
        CustodyEvent.objects.create(
            kit=kit,
            seq=seq + 10,
            kind=kind,
            occurred_at=when,
            actor_label="A",
            site=storage,
            prev_hash="0",
            hash=str(seq),
        )
    result = queries.publish("evidence_kits", Period(2025), Scope())
    assert result.available
    collected, released, destroyed = result.tables
    # Q2 has 2 kits ("<5"); Q1's 6 is suppressed too, or 8 − 6 would give Q2 back
    assert [r.cells[0].display for r in collected.rows] == ["x", "<5", "0", "0"]
    assert collected.total.display == "8"
    assert [r.cells[0].display for r in released.rows] == ["0", "<5", "0", "0"]
    assert released.total.display == "<5"
    assert [r.cells[0].display for r in destroyed.rows] == ["0", "0", "0", "<5"]
    only_storage = queries.publish("evidence_kits", Period(2025), Scope(storage))
    assert only_storage.tables[0].total.display == "0"
