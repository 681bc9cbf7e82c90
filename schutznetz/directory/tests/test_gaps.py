"""Gap analysis against the Council of Europe standards, checked by hand for Kreis Soest."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from schutznetz.directory import gaps
from schutznetz.directory.models import Municipality
from schutznetz.directory.regions import DEFAULT_REGION_FILE
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db


def kreis_soest_population():
    lines = [
        line
        for line in DEFAULT_REGION_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return sum(int(row["population"]) for row in csv.DictReader(io.StringIO("\n".join(lines))))


def by_id(rows):
    return {row["id"]: row for row in rows}


def test_default_region_is_kreis_soest_with_14_municipalities():
    assert Municipality.objects.count() == 14
    assert Municipality.objects.get(name="Lippstadt").population == 69047


def test_gap_arithmetic_by_hand(make_offer):
    # Hand-computed from the CSV: 306,555 inhabitants (sum of the 14 municipalities).
    population = kreis_soest_population()
    assert (
        population
        == 10397
        + 12528
        + 12398
        + 16484
        + 21749
        + 11966
        + 69047
        + 12106
        + 11049
        + 48250
        + 24464
        + 11966
        + 30938
        + 13213
        == 306555
    )
    # no share of women in the file: default 50 % → 153,277.5 women
    make_offer("Frauenhaus A", kinds=["frauenhaus"], family_places=8)
    make_offer("Frauenhaus B", kinds=["frauenhaus"], municipality="lippstadt", family_places=5)
    make_offer("Fachberatung", kinds=["fachberatung-sexualisierte-gewalt"], municipality="lippstadt")
    make_offer("Frauenberatung", kinds=["frauenberatung"])
    make_offer("Hotline", kinds=["hotline"], municipality="", serves_everywhere=True, is_24_7=True)
    make_offer("Outside", kinds=["frauenberatung"], municipality="")  # not in the region: not counted
    report = gaps.gap_analysis()
    assert report["region"] == "Kreis Soest" and report["population"] == 306555
    s = by_id(report["standards"])
    assert s["shelter_family_places"] == {
        **s["shelter_family_places"],
        "required": 30.66,
        "available": 13,
        "deficit": 17.66,
    }
    assert s["sexual_violence_centres"]["required"] == round(population / 200_000, 2) == 1.53  # 1.532775
    assert s["sexual_violence_centres"]["deficit"] == 0.53
    assert s["rape_crisis_centres_per_women"]["required"] == 0.77  # 153,277.5 / 200,000 = 0.766…
    assert s["rape_crisis_centres_per_women"]["deficit"] == 0
    assert s["womens_counselling_centres"]["required"] == 3.07  # 3.06555
    assert s["womens_counselling_centres"] == {
        **s["womens_counselling_centres"],
        "available": 1,
        "deficit": 2.07,
    }
    assert s["helpline_24_7"] == {**s["helpline_24_7"], "required": 1, "available": 1, "deficit": 0}
    lippstadt = next(m for m in report["municipalities"] if m["name"] == "Lippstadt")
    assert lippstadt["offers"]["frauenhaus"] == 1 and lippstadt["offers"]["hotline"] == 1
    assert lippstadt["nearest_km"]["frauenhaus"] == 0.0
    assert 20 < lippstadt["nearest_km"]["frauenberatung"] < 25  # Soest
    ls = by_id(lippstadt["standards"])
    assert (
        ls["shelter_family_places"]["required"] == 6.9 and ls["shelter_family_places"]["deficit"] == 1.9
    )  # 69,047 / 10,000


def test_json_command_has_required_keys(tmp_path):
    out = tmp_path / "gaps.json"
    call_command("gap_report", "--format", "json", "--output", str(out), stderr=io.StringIO())
    data = json.loads(out.read_text())
    assert set(data) >= {"region", "population", "standards", "municipalities"}
    assert [s["id"] for s in data["standards"]] == [
        "shelter_family_places", "sexual_violence_centres", "rape_crisis_centres_per_women", "womens_counselling_centres", "helpline_24_7",
    ]  # fmt: skip
    assert all({"id", "required", "available", "deficit"} <= set(s) for s in data["standards"])


def test_markdown_and_pdf(tmp_path):
    md = tmp_path / "gaps.md"
    call_command("gap_report", "--format", "md", "--output", str(md), stderr=io.StringIO())
    assert "| Gemeinde |" in md.read_text() and "Lippstadt" in md.read_text()
    pdf = tmp_path / "gaps.pdf"
    call_command("gap_report", "--format", "pdf", "--output", str(pdf), stderr=io.StringIO())
    assert pdf.read_bytes().startswith(b"%PDF")


def test_page_for_koordination_only_with_chart_and_table(client, koordination, anbieter):
    login(client, anbieter)
    assert client.get(reverse("directory:gaps")).status_code == 403
    client.logout()
    login(client, koordination)
    html = client.get(reverse("directory:gaps")).content.decode()
    assert "<svg" in html and 'role="img"' in html and "<caption" in html and "30.66" in html
    assert 'style="' not in html
    assert json.loads(client.get(reverse("directory:gaps") + "?format=json").content)["population"] == 306555


def test_load_region_replaces_and_reports_bad_lines(tmp_path):
    good = tmp_path / "kreis-test.csv"
    good.write_text(
        "name,kind,population,lat,lon,women_share\nAstadt,Stadt,100000,51.0,8.0,0.52\nBdorf,Gemeinde,50000,51.1,8.1,\n"
    )
    call_command("load_region", str(good), "--name", "Kreis Test", stdout=io.StringIO())
    assert list(Municipality.objects.values_list("name", flat=True)) == ["Astadt", "Bdorf"]
    report = gaps.gap_analysis()
    assert report["region"] == "Kreis Test" and report["women"] == round(100000 * 0.52 + 50000 * 0.5)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind,population,lat,lon\nCstadt,Stadt,viele,51,8\nDdorf,Gemeinde,10,95,8\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_region", str(bad), stderr=err)
    assert "Zeile 2, Feld „population“: „viele“ ist keine Zahl" in err.getvalue()
    assert "Zeile 3, Feld „lat“: 95 liegt außerhalb -90–90" in err.getvalue()
    assert Municipality.objects.count() == 2
