"""Gap analysis: offers per municipality, distances, and the standards in ``standards.py``."""

from dataclasses import dataclass
from decimal import Decimal

from schutznetz.directory import standards as standards_module
from schutznetz.directory import taxonomy
from schutznetz.directory.models import Municipality
from schutznetz.directory.queries import public_offers
from schutznetz.directory.regions import haversine_km


@dataclass
class _OfferFacts:
    kinds: list
    municipality_id: int | None
    area: list
    everywhere: bool
    is_24_7: bool
    family_places: int
    lat: float | None
    lon: float | None


def _women(municipality):
    share = (
        municipality.women_share
        if municipality.women_share is not None
        else standards_module.DEFAULT_WOMEN_SHARE
    )
    return municipality.population * share


def _standard_row(standard, population, women, available):
    required = standard.required(population, women)
    return {
        "id": standard.id,
        "label": str(standard.label),
        "source": standard.source,
        "required": required,
        "available": available,
        "deficit": float(max(Decimal(str(required)) - Decimal(str(available)), Decimal(0))),
    }


def _available(standard, offers):
    chosen = [
        o for o in offers if set(standard.kinds) & set(o.kinds) and (o.is_24_7 or not standard.only_24_7)
    ]
    if standard.measure == "family_places":
        return sum(o.family_places for o in chosen)
    return len(chosen)


def gap_analysis(standards=None):
    standards = standards if standards is not None else standards_module.STANDARDS
    municipalities = list(Municipality.objects.order_by("name"))
    ids = {m.pk for m in municipalities}
    facts = [
        _OfferFacts(taxonomy.split_codes(k), mid, taxonomy.split_codes(a), e, h, f or 0, lat, lon)
        for k, mid, a, e, h, f, lat, lon in public_offers().values_list(
            "kinds",
            "municipality_id",
            "service_area",
            "serves_everywhere",
            "is_24_7",
            "family_places",
            "latitude",
            "longitude",
        )
    ]
    located = [o for o in facts if o.municipality_id in ids]
    regional = [o for o in facts if o.municipality_id in ids or o.everywhere]
    population = sum(m.population for m in municipalities)
    women = sum(_women(m) for m in municipalities)
    region_rows = [
        _standard_row(s, population, women, _available(s, regional if s.regional else located))
        for s in standards
    ]
    rows = []
    for m in municipalities:
        in_m = [o for o in facts if o.municipality_id == m.pk]
        serving = [o for o in facts if o.municipality_id == m.pk or m.slug in o.area or o.everywhere]
        counts = {code: sum(1 for o in serving if code in o.kinds) for code in taxonomy.KINDS}
        nearest = {}
        for code in taxonomy.KINDS:
            distances = [
                haversine_km(m.latitude, m.longitude, o.lat, o.lon)
                for o in facts
                if code in o.kinds and o.lat is not None and o.lon is not None
            ]
            nearest[code] = round(min(distances), 1) if distances else None
        w = _women(m)
        rows.append(
            {
                "name": m.name,
                "population": m.population,
                "women": round(w),
                "offers": counts,
                "nearest_km": nearest,
                "standards": [
                    _standard_row(s, m.population, w, _available(s, serving if s.regional else in_m))
                    for s in standards
                ],
            }
        )
    region_name = municipalities[0].region if municipalities else ""
    return {
        "region": region_name,
        "population": population,
        "women": round(women),
        "standards": region_rows,
        "municipalities": rows,
    }


def as_markdown(report):
    lines = [f"# Lückenanalyse {report['region']}", "", f"Einwohner: {report['population']}", ""]
    lines += ["| Standard | erforderlich | vorhanden | Defizit |", "|---|---:|---:|---:|"]
    lines += [
        f"| {s['label']} | {s['required']:g} | {s['available']:g} | {s['deficit']:g} |"
        for s in report["standards"]
    ]
    lines += ["", "## Gemeinden", ""]
    kinds = list(taxonomy.KINDS)
    lines.append(
        "| Gemeinde | Einwohner | " + " | ".join(f"{taxonomy.KINDS[k]} (Anzahl / km)" for k in kinds) + " |"
    )
    lines.append("|---|---:|" + "---:|" * len(kinds))
    for m in report["municipalities"]:
        cells = [
            f"{m['offers'][k]} / {m['nearest_km'][k] if m['nearest_km'][k] is not None else '–'}"
            for k in kinds
        ]
        lines.append(f"| {m['name']} | {m['population']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
