"""The billing exports end with a total row that neither sorting nor a re-import mixes with the data."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from schutznetz.testing.factories import login

from .conftest import register

pytestmark = pytest.mark.django_db

QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


def this_quarter():
    today = timezone.localdate()
    return {"year": today.year, "quarter": (today.month - 1) // 3 + 1}


def export(client, fmt, params=None):
    response = client.get(reverse("evidence:billing"), {**(params or this_quarter()), "format": fmt})
    assert response.status_code == 200
    return response


@pytest.fixture
def three_kits(sites):
    register(sites, days_ago=0)
    register(sites, days_ago=0, kind="physical")
    register(sites, days_ago=0, actor=sites.clinic_b_user)
    register(sites, days_ago=0, actor=sites.clinic_b_user)
    register(sites, days_ago=400)  # another quarter: in neither the rows nor the total


def test_csv_ends_with_a_total_below_an_empty_row(client, sites, three_kits):
    login(client, sites.koordination)
    page = client.get(reverse("evidence:billing"), this_quarter()).content.decode()
    assert re.search(r"Summe</th>\s*<td[^>]*>4</td>", page)
    rows = list(csv.reader(io.StringIO(export(client, "csv").content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Quartal", "Klinik", "Art der Untersuchung", "Anzahl"]
    data, gap, total = rows[1:-2], rows[-2], rows[-1]
    assert len(data) == 3 and all(QUARTER.match(row[0]) for row in data)
    assert gap == []
    assert total == ["Summe", "", "", "4"]
    assert sum(int(row[3]) for row in data) == 4
    # A reader by column names skips the empty row; the total is told apart by its first cell.
    read = list(csv.DictReader(io.StringIO(export(client, "csv").content.decode("utf-8-sig")), delimiter=";"))
    assert [r["Quartal"] for r in read if not QUARTER.match(r["Quartal"])] == ["Summe"]


def test_xlsx_total_is_a_number_and_outside_the_data_block(client, sites, three_kits):
    login(client, sites.koordination)
    sheet = load_workbook(io.BytesIO(export(client, "xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    data = rows[1:-2]
    assert len(data) == 3 and all(isinstance(row[3], int) for row in data)
    # An empty row ends the block Excel sorts and filters, so the total stays at the bottom.
    assert rows[-2] == (None, None, None, None)
    assert rows[-1] == ("Summe", None, None, 4)
    total_cell = sheet.cell(sheet.max_row, 4)
    assert total_cell.data_type == "n" and total_cell.value == 4


def test_each_site_sees_its_own_total_and_an_empty_quarter_totals_zero(client, sites, three_kits):
    login(client, sites.clinic_b_user)
    text = export(client, "csv").content.decode("utf-8-sig")
    assert text.splitlines()[-1] == "Summe;;;2"
    client.logout()
    login(client, sites.koordination)
    empty = {"year": 2001, "quarter": 1}
    assert export(client, "csv", empty).content.decode("utf-8-sig").splitlines()[1:] == ["", "Summe;;;0"]
    sheet = load_workbook(io.BytesIO(export(client, "xlsx", empty).content)).active
    assert sheet.cell(sheet.max_row, 1).value == "Summe" and sheet.cell(sheet.max_row, 4).value == 0
