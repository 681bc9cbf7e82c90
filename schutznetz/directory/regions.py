"""Regions (municipalities) with population and centre, loaded from a CSV.

CSV columns: ``name, kind, population, lat, lon`` and optionally
``women_share`` (0–1) and ``postcodes`` (separated by spaces). Other columns
(``population_date``, ``source``) are ignored; lines starting with ``#`` are
comments. Kreis Soest ships as the default (``data/kreis-soest-municipalities.csv``,
loaded by migration 0002); another county runs ``manage.py load_region FILE``.
"""

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from django.utils.text import slugify

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_REGION_FILE = DATA_DIR / "kreis-soest-municipalities.csv"
DEFAULT_REGION_NAME = "Kreis Soest"

# Postcodes of the Kreis Soest municipalities (Deutsche Post); used to resolve "ort=59555".
KREIS_SOEST_POSTCODES = {
    "Anröchte": "59609",
    "Bad Sassendorf": "59505",
    "Ense": "59469",
    "Erwitte": "59597",
    "Geseke": "59590",
    "Lippetal": "59510",
    "Lippstadt": "59555 59556 59557 59558",
    "Möhnesee": "59519",
    "Rüthen": "59602",
    "Soest": "59494",
    "Warstein": "59581",
    "Welver": "59514",
    "Werl": "59457",
    "Wickede (Ruhr)": "58739",
}


def region_slug(name):
    return slugify(
        name.replace("ü", "ue")
        .replace("ö", "oe")
        .replace("ä", "ae")
        .replace("ß", "ss")
        .replace("Ü", "Ue")
        .replace("Ö", "Oe")
        .replace("Ä", "Ae")
    )[:80]


@dataclass
class RegionRow:
    name: str
    kind: str
    population: int
    lat: float
    lon: float
    women_share: float | None
    postcodes: str


class RegionFileError(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


def parse_region_csv(text):
    """Rows of a region CSV, or RegionFileError listing every bad line and field."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    errors, rows = [], []
    missing = {"name", "kind", "population", "lat", "lon"} - set(reader.fieldnames or [])
    if missing:
        raise RegionFileError([f"Kopfzeile: Spalte(n) fehlen: {', '.join(sorted(missing))}"])
    for number, raw in enumerate(reader, start=2):
        row_errors = []

        def number_of(
            field, kind, low=None, high=None, required=True, raw=raw, row_errors=row_errors, number=number
        ):
            value = (raw.get(field) or "").strip()
            if not value:
                if required:
                    row_errors.append(f"Zeile {number}, Feld „{field}“: fehlt")
                return None
            try:
                parsed = kind(value)
            except ValueError:
                row_errors.append(f"Zeile {number}, Feld „{field}“: „{value}“ ist keine Zahl")
                return None
            if (low is not None and parsed < low) or (high is not None and parsed > high):
                row_errors.append(f"Zeile {number}, Feld „{field}“: {value} liegt außerhalb {low}–{high}")
                return None
            return parsed

        name = (raw.get("name") or "").strip()
        if not name:
            row_errors.append(f"Zeile {number}, Feld „name“: fehlt")
        population = number_of("population", int, 0)
        lat = number_of("lat", float, -90, 90)
        lon = number_of("lon", float, -180, 180)
        share = number_of("women_share", float, 0, 1, required=False)
        postcodes = (raw.get("postcodes") or "").strip() or KREIS_SOEST_POSTCODES.get(name, "")
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(RegionRow(name, (raw.get("kind") or "").strip(), population, lat, lon, share, postcodes))
    if not rows and not errors:
        errors.append("Die Datei enthält keine Gemeinden.")
    if errors:
        raise RegionFileError(errors)
    return rows


def haversine_km(lat1, lon1, lat2, lon2):
    radius = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def bounding_box(lat, lon, km):
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle of ``km`` around a point."""
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
