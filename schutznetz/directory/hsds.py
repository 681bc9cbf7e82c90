"""HSDS 3.0 export and import of offers.

Export: ``offer_to_hsds(offer)`` gives one HSDS ``service`` with its ``organization``,
``service_at_locations`` (→ ``location`` → ``addresses``), ``phones``, ``schedules``,
``languages``, ``service_areas``, ``cost_options`` and ``attributes`` (our taxonomies
``schutznetz-art`` and ``schutznetz-zielgruppe``) nested, as in the official
``service`` schema. Properties HSDS has no field for travel in ``schutznetz`` (the
schemas allow additional properties). A protected address is never exported: the
location then carries neither address nor coordinates.

Import: ``parse_hsds(text)`` and ``parse_csv(text)`` turn a file into ``ImportItem``s
or raise ``ImportFailed`` with every error (record/line and field). The CSV
template is ``data/angebote-vorlage.csv``; its columns are described in ``CSV_COLUMNS``.
"""

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date

from schutznetz.directory import taxonomy
from schutznetz.directory.models import Appointment, Municipality

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
GERMAN_DAYS = {"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6}
GERMAN_DAY_NAMES = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
HSDS_STATUSES = {
    "active": "active",
    "inactive": "inactive",
    "defunct": "inactive",
    "temporarily closed": "inactive",
}
FLAG_FIELDS = [
    "anonymous", "free_of_charge", "step_free", "sign_language", "easy_language", "is_24_7",
    "serves_everywhere", "address_protected", "is_fictional",
]  # fmt: skip


def _id(base, *parts):
    return str(uuid.uuid5(uuid.UUID(str(base)), "/".join(str(p) for p in parts)))


def _term(taxonomy_name, code, labels):
    return {
        "id": taxonomy.term_id(taxonomy_name, code),
        "code": code,
        "name": str(labels[code]),
        "description": str(labels[code]),
        "taxonomy": taxonomy_name,
        "taxonomy_id": taxonomy.taxonomy_id(taxonomy_name),
        "taxonomy_detail": {
            "id": taxonomy.taxonomy_id(taxonomy_name),
            "name": taxonomy_name,
            "description": taxonomy.TAXONOMY_DESCRIPTIONS[taxonomy_name],
        },
        "language": "de",
    }


def offer_to_hsds(offer, municipality_names=None):
    """One offer as an HSDS 3.0 service (public: protected addresses are left out)."""
    sid = str(offer.hsds_id)
    provider = offer.provider
    if municipality_names is None:
        municipality_names = dict(Municipality.objects.values_list("slug", "name"))
    service = {
        "id": sid,
        "organization_id": str(provider.hsds_id),
        "name": offer.name,
        "description": offer.description,
        "status": offer.status,
        "fees_description": offer.fees_description or None,
        "assured_date": offer.verified_at.isoformat() if offer.verified_at else None,
        "last_modified": offer.updated_at.isoformat() if offer.updated_at else None,
        "organization": {
            "id": str(provider.hsds_id),
            "name": provider.name,
            "description": provider.description or provider.name,
        },
    }
    if offer.website:
        service["url"] = offer.website
    if offer.email:
        service["email"] = offer.email
    if provider.website:
        service["organization"]["website"] = provider.website
    if provider.email:
        service["organization"]["email"] = provider.email
    service["phones"] = (
        [
            {
                "id": _id(sid, "phone"),
                "service_id": sid,
                "number": offer.phone,
                "description": offer.phone_description or None,
            }
        ]
        if offer.phone
        else []
    )
    schedules = [
        {
            "id": _id(sid, "schedule", s.weekday, s.opens_at),
            "service_id": sid,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": WEEKDAYS[s.weekday],
            "opens_at": s.opens_at.strftime("%H:%M"),
            "closes_at": s.closes_at.strftime("%H:%M"),
        }
        for s in offer.schedules.all()
    ]
    if offer.is_24_7:
        schedules.append(
            {
                "id": _id(sid, "schedule", "24/7"),
                "service_id": sid,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": ",".join(WEEKDAYS),
                "opens_at": "00:00",
                "closes_at": "23:59",
                "description": "rund um die Uhr",
            }
        )
    if offer.opening_hours_text and schedules:
        schedules[0]["description"] = offer.opening_hours_text
    elif offer.opening_hours_text:
        schedules.append(
            {"id": _id(sid, "schedule", "text"), "service_id": sid, "description": offer.opening_hours_text}
        )
    service["schedules"] = schedules
    areas = [
        {
            "id": _id(sid, "area", slug),
            "service_id": sid,
            "name": municipality_names.get(slug, slug),
            "extent_type": "municipality",
        }
        for slug in offer.area_list
    ]
    if offer.serves_everywhere:
        areas.append(
            {"id": _id(sid, "area", "*"), "service_id": sid, "name": "überregional", "extent_type": "region"}
        )
    service["service_areas"] = areas
    service["languages"] = [
        {
            "id": _id(sid, "language", code),
            "service_id": sid,
            "code": code,
            "name": str(taxonomy.LANGUAGES.get(code, code)),
        }
        for code in offer.language_list
    ]
    service["cost_options"] = (
        [{"id": _id(sid, "cost"), "service_id": sid, "option": "kostenlos", "amount": 0, "currency": "EUR"}]
        if offer.free_of_charge
        else []
    )
    location = {
        "id": _id(sid, "location"),
        "location_type": "physical",
        "organization_id": str(provider.hsds_id),
        "name": "Adresse geschützt" if offer.address_protected else offer.name,
        "addresses": [],
        "accessibility": [],
    }
    if offer.address_protected:
        location["description"] = "Die Adresse wird zum Schutz der Bewohnerinnen nicht veröffentlicht."
    else:
        if offer.latitude is not None:
            location["latitude"], location["longitude"] = offer.latitude, offer.longitude
        if offer.street or offer.city:
            location["addresses"].append(
                {
                    "id": _id(sid, "address"),
                    "location_id": location["id"],
                    "address_1": offer.street,
                    "city": offer.city or (offer.municipality.name if offer.municipality_id else ""),
                    "state_province": "Nordrhein-Westfalen",
                    "postal_code": offer.postal_code,
                    "country": "DE",
                    "address_type": "physical",
                }
            )
    access = [
        label
        for flag, label in (
            ("step_free", "stufenlos"),
            ("sign_language", "Gebärdensprache"),
            ("easy_language", "Leichte Sprache"),
        )
        if getattr(offer, flag)
    ]
    if access or offer.accessibility_description:
        location["accessibility"].append(
            {
                "id": _id(sid, "accessibility"),
                "location_id": location["id"],
                "description": ", ".join(access) or None,
                "details": offer.accessibility_description or None,
            }
        )
    service["service_at_locations"] = [
        {
            "id": _id(sid, "service_at_location"),
            "service_id": sid,
            "location_id": location["id"],
            "location": location,
        }
    ]
    attributes = []
    for tax, codes, labels in (
        (taxonomy.KIND_TAXONOMY, offer.kind_list, taxonomy.KINDS),
        (taxonomy.TARGET_TAXONOMY, offer.target_list, taxonomy.TARGET_GROUPS),
    ):
        for code in codes:
            if code in labels:
                term = _term(tax, code, labels)
                attributes.append(
                    {
                        "id": _id(sid, "attribute", tax, code),
                        "link_id": sid,
                        "link_type": "service",
                        "link_entity": "service",
                        "taxonomy_term_id": term["id"],
                        "taxonomy_term": term,
                    }
                )
    service["attributes"] = attributes
    service["schutznetz"] = {
        **{name: getattr(offer, name) for name in FLAG_FIELDS},
        "appointment": offer.appointment,
        "family_places": offer.family_places,
        "municipality": offer.municipality.name if offer.municipality_id else None,
        "opening_hours_text": offer.opening_hours_text,
        "phone_description": offer.phone_description,
    }
    return _without_none(service)


def _without_none(value):
    """HSDS fields are optional but never null: leave out what we do not know."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# --- Import ---------------------------------------------------------------------


class ImportFailed(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportItem:
    label: str
    offer_id: str
    provider: dict
    data: dict
    verified_at: date | None = None
    errors: list = field(default_factory=list)


UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Checker:
    def __init__(self, label):
        self.label = label
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{self.label}, Feld „{path}“: {message}")

    def string(self, obj, key, path=None, required=False, max_length=None):
        path = path or key
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None or value == "":
            if required:
                self.error(path, "fehlt (Pflichtfeld)")
            return ""
        if not isinstance(value, str):
            self.error(path, f"muss Text sein, nicht {type(value).__name__}")
            return ""
        if max_length and len(value) > max_length:
            self.error(path, f"ist länger als {max_length} Zeichen")
        return value.strip()

    def uuid(self, obj, key, path=None, required=True):
        value = self.string(obj, key, path, required)
        if value and not UUID_RE.match(value):
            self.error(path or key, f"„{value}“ ist keine UUID")
            return ""
        return value

    def number(self, obj, key, path, low, high):
        value = obj.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"muss eine Zahl sein, nicht {type(value).__name__}")
            return None
        if not low <= value <= high:
            self.error(path, f"{value} liegt außerhalb {low}–{high}")
            return None
        return float(value)

    def boolean(self, obj, key, path, default=False):
        value = obj.get(key, default)
        if not isinstance(value, bool):
            self.error(path, f"muss true oder false sein, nicht {value!r}")
            return default
        return value

    def list_of_objects(self, obj, key, path=None):
        value = obj.get(key) if isinstance(obj, dict) else None
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(path or key, "muss eine Liste von Objekten sein")
            return []
        return value


def _municipalities():
    by_key = {}
    for m in Municipality.objects.all():
        by_key[m.name.lower()] = m
        by_key[m.slug] = m
        for code in m.postcodes.split():
            by_key[code] = m
    return by_key


def _check_common(check, data, municipalities, region_names):
    if not data.get("kinds"):
        check.error("art", "mindestens eine Art der Hilfe ist nötig")
    if data.get("email") and not EMAIL_RE.match(data["email"]):
        check.error("email", f"„{data['email']}“ ist keine E-Mail-Adresse")
    if data.get("website") and not re.match(r"^https?://\S+$", data["website"]):
        check.error("website", f"„{data['website']}“ ist keine Web-Adresse (http/https)")
    for key in ("name", "description", "phone", "street", "city", "opening_hours_text", "fees_description"):
        value = data.get(key) or ""
        if value.startswith(("=", "@")) or (
            value.startswith(("+", "-")) and not re.match(r"^[+-][\d\s/()-]+$", value)
        ):
            check.error(key, f"beginnt mit „{value[0]}“ – Tabellenformeln werden nicht importiert")


def _resolve_area(check, path, names, municipalities, region_names):
    slugs, everywhere = [], False
    for name in names:
        key = name.strip()
        if not key:
            continue
        if key == "*" or key.lower() in region_names:
            everywhere = True
        elif key.lower() in municipalities:
            slugs.append(municipalities[key.lower()].slug)
        else:
            check.error(path, f"„{key}“ ist keine bekannte Gemeinde")
    return slugs, everywhere


def parse_hsds(text):
    """Items from HSDS JSON: a list of services (or an object with "services"/"items")."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [f"Datei: kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno}: {exc.msg})"]
        ) from exc
    if isinstance(payload, dict):
        payload = payload.get("services", payload.get("items", payload.get("contents", [payload])))
    if not isinstance(payload, list):
        raise ImportFailed(["Datei: erwartet wird eine Liste von HSDS-Services"])
    municipalities = _municipalities()
    region_names = {r.lower() for r in Municipality.objects.values_list("region", flat=True).distinct()} | {
        "überregional",
        "bundesweit",
    }
    items, errors, seen = [], [], set()
    for index, record in enumerate(payload, start=1):
        label = f"Datensatz {index}"
        check = _Checker(label)
        if not isinstance(record, dict):
            errors.append(f"{label}: ist kein Objekt")
            continue
        sid = check.uuid(record, "id")
        if sid:
            check.label = label = f"Datensatz {index} ({sid})"
            if sid in seen:
                check.error("id", "kommt in der Datei doppelt vor")
            seen.add(sid)
        status = check.string(record, "status", required=True)
        if status and status not in HSDS_STATUSES:
            check.error("status", f"„{status}“ ist kein HSDS-Status ({', '.join(HSDS_STATUSES)})")
        data = {
            "name": check.string(record, "name", required=True, max_length=200),
            "description": check.string(record, "description"),
            "status": HSDS_STATUSES.get(status, "active"),
            "website": check.string(record, "url", "url", max_length=200),
            "email": check.string(record, "email", max_length=254),
            "fees_description": check.string(record, "fees_description", max_length=300),
        }
        org = record.get("organization")
        provider = {}
        if not isinstance(org, dict):
            check.error("organization", "fehlt oder ist kein Objekt")
        else:
            provider = {
                "hsds_id": check.uuid(org, "id", "organization.id"),
                "name": check.string(org, "name", "organization.name", required=True, max_length=200),
                "description": check.string(org, "description", "organization.description"),
                "email": check.string(org, "email", "organization.email", max_length=254),
                "website": check.string(org, "website", "organization.website", max_length=200),
            }
        kinds, targets = [], []
        for i, attribute in enumerate(check.list_of_objects(record, "attributes")):
            term = attribute.get("taxonomy_term")
            if not isinstance(term, dict):
                continue
            detail = term.get("taxonomy_detail")
            tax = term.get("taxonomy") or (detail.get("name") if isinstance(detail, dict) else None)
            code = term.get("code")
            if tax in (taxonomy.KIND_TAXONOMY, taxonomy.TARGET_TAXONOMY) and not isinstance(code, str):
                check.string(term, "code", f"attributes[{i}].taxonomy_term.code", required=True)
                continue
            if tax == taxonomy.KIND_TAXONOMY:
                (
                    kinds.append(code)
                    if code in taxonomy.KINDS
                    else check.error(
                        f"attributes[{i}].taxonomy_term.code", f"„{code}“ ist keine Art in {tax}"
                    )
                )
            elif tax == taxonomy.TARGET_TAXONOMY:
                (
                    targets.append(code)
                    if code in taxonomy.TARGET_GROUPS
                    else check.error(
                        f"attributes[{i}].taxonomy_term.code", f"„{code}“ ist keine Zielgruppe in {tax}"
                    )
                )
        data["kinds"], data["target_groups"] = kinds, targets
        languages = []
        for i, language in enumerate(check.list_of_objects(record, "languages")):
            code = check.string(language, "code", f"languages[{i}].code", required=True)
            if code and code not in taxonomy.LANGUAGES:
                check.error(f"languages[{i}].code", f"„{code}“ ist kein bekannter Sprachcode (ISO 639-1)")
            elif code:
                languages.append(code)
        data["languages"] = languages or ["de"]
        phones = check.list_of_objects(record, "phones")
        data["phone"] = (
            check.string(phones[0], "number", "phones[0].number", required=True, max_length=40)
            if phones
            else ""
        )
        data["phone_description"] = (
            check.string(phones[0], "description", "phones[0].description", max_length=200) if phones else ""
        )
        schedules, is_24_7 = [], False
        for i, schedule in enumerate(check.list_of_objects(record, "schedules")):
            if (schedule.get("description") or "") == "rund um die Uhr":
                is_24_7 = True
                continue
            days = check.string(schedule, "byday", f"schedules[{i}].byday")
            opens = check.string(schedule, "opens_at", f"schedules[{i}].opens_at")
            closes = check.string(schedule, "closes_at", f"schedules[{i}].closes_at")
            if schedule.get("description") and i == 0:
                data["opening_hours_text"] = check.string(
                    schedule, "description", f"schedules[{i}].description", max_length=300
                )
            if not days and not opens:
                continue
            for value, name in ((opens, "opens_at"), (closes, "closes_at")):
                if not TIME_RE.match(value or ""):
                    check.error(f"schedules[{i}].{name}", f"„{value}“ ist keine Uhrzeit (HH:MM)")
            for day in days.split(","):
                if day.strip() not in WEEKDAYS:
                    check.error(f"schedules[{i}].byday", f"„{day}“ ist kein Wochentag ({','.join(WEEKDAYS)})")
                elif TIME_RE.match(opens or "") and TIME_RE.match(closes or ""):
                    schedules.append([WEEKDAYS.index(day.strip()), opens, closes])
        data["schedules"], data["is_24_7"] = schedules, is_24_7
        areas = [
            check.string(area, "name", f"service_areas[{i}].name")
            for i, area in enumerate(check.list_of_objects(record, "service_areas"))
        ]
        data["service_area"], data["serves_everywhere"] = _resolve_area(
            check, "service_areas", areas, municipalities, region_names
        )
        data["free_of_charge"] = any(
            (c.get("amount") in (0, None)) for c in check.list_of_objects(record, "cost_options")
        )
        locations = check.list_of_objects(record, "service_at_locations")
        location = locations[0].get("location") if locations else None
        municipality = None
        if isinstance(location, dict):
            data["latitude"] = check.number(
                location, "latitude", "service_at_locations[0].location.latitude", -90, 90
            )
            data["longitude"] = check.number(
                location, "longitude", "service_at_locations[0].location.longitude", -180, 180
            )
            addresses = check.list_of_objects(
                location, "addresses", "service_at_locations[0].location.addresses"
            )
            if addresses:
                a = addresses[0]
                prefix = "service_at_locations[0].location.addresses[0]"
                data["street"] = check.string(a, "address_1", f"{prefix}.address_1", max_length=200)
                data["postal_code"] = check.string(a, "postal_code", f"{prefix}.postal_code", max_length=10)
                data["city"] = check.string(a, "city", f"{prefix}.city", max_length=100)
                municipality = municipalities.get(data["postal_code"]) or municipalities.get(
                    data["city"].lower()
                )
        extra = record.get("schutznetz") or {}
        if not isinstance(extra, dict):
            check.error("schutznetz", "muss ein Objekt sein")
            extra = {}
        for name in FLAG_FIELDS:
            if name in extra:
                data[name] = check.boolean(extra, name, f"schutznetz.{name}")
        if "appointment" in extra:
            if extra["appointment"] not in Appointment.values:
                check.error(
                    "schutznetz.appointment",
                    f"„{extra['appointment']}“ ist keiner von {', '.join(Appointment.values)}",
                )
            else:
                data["appointment"] = extra["appointment"]
        if extra.get("family_places") is not None:
            places = extra["family_places"]
            if isinstance(places, bool) or not isinstance(places, int) or places < 0:
                check.error("schutznetz.family_places", "muss eine ganze Zahl ≥ 0 sein")
            else:
                data["family_places"] = places
        if extra.get("municipality"):
            municipality = municipalities.get(str(extra["municipality"]).lower()) or municipality
        if extra.get("opening_hours_text"):
            data["opening_hours_text"] = str(extra["opening_hours_text"])[:300]
        if extra.get("phone_description"):
            data["phone_description"] = str(extra["phone_description"])[:200]
        data["municipality"] = municipality.slug if municipality else ""
        if not data.get("city") and municipality:
            data["city"] = municipality.name
        if data.get("address_protected") or "frauenhaus" in kinds:
            for key in ("street", "postal_code", "latitude", "longitude"):
                data.pop(key, None)
        _check_common(check, data, municipalities, region_names)
        verified = None
        if record.get("assured_date"):
            try:
                verified = date.fromisoformat(str(record["assured_date"])[:10])
            except ValueError:
                check.error("assured_date", f"„{record['assured_date']}“ ist kein Datum (JJJJ-MM-TT)")
        errors.extend(check.errors)
        items.append(ImportItem(label, sid, provider, data, verified))
    if errors:
        raise ImportFailed(errors)
    return items


# CSV template: column → description. Lists are separated by commas.
CSV_COLUMNS = {
    "id": "HSDS-Id des Angebots (UUID); leer = neue Id. Gleiche Id beim erneuten Import = Aktualisierung",
    "organisation_id": "HSDS-Id des Trägers (UUID), Pflicht",
    "organisation": "Name des Trägers, Pflicht",
    "name": "Name des Angebots, Pflicht",
    "beschreibung": "Beschreibung",
    "art": "Arten der Hilfe (Codes aus schutznetz-art, z. B. frauenberatung), Pflicht",
    "zielgruppe": "Zielgruppen (Codes aus schutznetz-zielgruppe, z. B. frauen)",
    "sprachen": "Sprachen (ISO 639-1, z. B. de,tr,ar)",
    "telefon": "Telefonnummer",
    "email": "E-Mail-Adresse",
    "website": "Web-Adresse (https://…)",
    "strasse": "Straße und Hausnummer (bei geschützter Adresse leer lassen)",
    "plz": "Postleitzahl",
    "ort": "Ort bzw. Gemeinde, Pflicht",
    "versorgungsgebiet": "Gemeinden, für die das Angebot zuständig ist; * = ganzes Gebiet/überregional",
    "oeffnungszeiten": "z. B. Mo-Fr 09:00-12:00, Di 14:00-17:00; über Mitternacht: Fr 20:00-02:00",
    "rund_um_die_uhr": "ja/nein",
    "anonym": "ja/nein",
    "kostenlos": "ja/nein",
    "termin": "erforderlich / moeglich / ohne",
    "stufenlos": "ja/nein",
    "gebaerdensprache": "ja/nein",
    "leichte_sprache": "ja/nein",
    "adresse_geschuetzt": "ja/nein (Frauenhäuser immer ja)",
    "familienplaetze": "Zahl der Familienplätze (Frauenhaus)",
    "zuletzt_geprueft": "Datum JJJJ-MM-TT",
    "fiktiv": "ja/nein (Beispieldaten)",
}
YES = {"ja", "j", "yes", "y", "1", "true", "wahr", "x"}
NO = {"nein", "n", "no", "0", "false", "falsch", ""}


def parse_opening_hours(check, text, path="oeffnungszeiten"):
    schedules = []
    for part in re.split(r"[,;]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = re.match(
            r"^([A-Za-z]{2})(?:\s*-\s*([A-Za-z]{2}))?\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$", part
        )
        if (
            not match
            or match.group(1).lower() not in GERMAN_DAYS
            or (match.group(2) and match.group(2).lower() not in GERMAN_DAYS)
        ):
            check.error(path, f"„{part}“ nicht verstanden (Beispiel: Mo-Fr 09:00-12:00)")
            continue
        first = GERMAN_DAYS[match.group(1).lower()]
        last = GERMAN_DAYS[match.group(2).lower()] if match.group(2) else first
        opens, closes = match.group(3), match.group(4)
        if closes == "24:00":
            closes = "00:00"  # midnight
        # A closing time before the opening time runs past midnight ("Fr 20:00-02:00").
        if not (TIME_RE.match(opens) and TIME_RE.match(closes)) or opens.zfill(5) == closes.zfill(5):
            check.error(path, f"„{part}“: ungültige Uhrzeit")
            continue
        for day in range(first, last + 1):
            schedules.append([day, opens.zfill(5), closes.zfill(5)])
    return schedules


def parse_csv(text):
    """Items from the CSV template (semicolon or comma separated, UTF-8, optional BOM)."""
    try:
        return _parse_csv(text)
    except csv.Error as exc:
        # Broken quoting or stray line breaks: the csv module names the problem, not the line.
        raise ImportFailed([f"Datei: keine gültige CSV-Datei ({exc})"]) from exc


def _parse_csv(text):
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFailed(["Datei: ist leer"])
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = {"organisation_id", "organisation", "name", "art", "ort"} - set(header)
    unknown = set(header) - set(CSV_COLUMNS)
    errors = []
    if missing:
        errors.append(f"Kopfzeile: Pflichtspalte(n) fehlen: {', '.join(sorted(missing))}")
    if unknown:
        errors.append(f"Kopfzeile: unbekannte Spalte(n): {', '.join(sorted(unknown))}")
    if errors:
        raise ImportFailed(errors)
    municipalities = _municipalities()
    region_names = {r.lower() for r in Municipality.objects.values_list("region", flat=True).distinct()} | {
        "überregional",
        "bundesweit",
    }
    items, seen = [], set()
    # A record's first line in the file (a quoted value may span lines, e.g. a description with
    # line breaks from Excel): counting records instead would name the wrong line.
    next_line = reader.line_num + 1
    for raw in reader:
        line, next_line = next_line, reader.line_num + 1
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        check = _Checker(f"Zeile {line}")

        def flag(name, default=False, row=row, check=check):
            value = row.get(name, "").lower()
            if not value:
                return default
            if value in YES:
                return True
            if value not in NO:
                check.error(name, f"„{row[name]}“ ist weder ja noch nein")
            return False

        def codes(name, allowed, row=row, check=check):
            values = [c.strip() for c in row.get(name, "").split(",") if c.strip()]
            for value in values:
                if value not in allowed:
                    check.error(name, f"„{value}“ ist kein gültiger Code")
            return [v for v in values if v in allowed]

        sid = row.get("id", "")
        if sid and not UUID_RE.match(sid):
            check.error("id", f"„{sid}“ ist keine UUID")
        if sid and sid in seen:
            check.error("id", "kommt in der Datei doppelt vor")
        seen.add(sid)
        org_id = check.uuid(row, "organisation_id")
        municipality = municipalities.get(row.get("plz", "")) or municipalities.get(
            row.get("ort", "").lower()
        )
        if row.get("ort") and municipality is None:
            check.error("ort", f"„{row['ort']}“ ist keine bekannte Gemeinde")
        elif not row.get("ort"):
            check.error("ort", "fehlt (Pflichtfeld)")
        data = {
            "name": check.string(row, "name", required=True, max_length=200),
            "description": row.get("beschreibung", ""),
            "status": "active",
            "kinds": codes("art", taxonomy.KINDS),
            "target_groups": codes("zielgruppe", taxonomy.TARGET_GROUPS),
            "languages": codes("sprachen", taxonomy.LANGUAGES) or ["de"],
            "phone": check.string(row, "telefon", max_length=40),
            "email": check.string(row, "email", max_length=254),
            "website": check.string(row, "website", max_length=200),
            "street": check.string(row, "strasse", max_length=200),
            "postal_code": check.string(row, "plz", max_length=10),
            "city": check.string(row, "ort", max_length=100),
            "municipality": municipality.slug if municipality else "",
            "opening_hours_text": check.string(row, "oeffnungszeiten", max_length=300),
            "schedules": parse_opening_hours(check, row.get("oeffnungszeiten", "")),
            "is_24_7": flag("rund_um_die_uhr"),
            "anonymous": flag("anonym"),
            "free_of_charge": flag("kostenlos", True),
            "step_free": flag("stufenlos"),
            "sign_language": flag("gebaerdensprache"),
            "easy_language": flag("leichte_sprache"),
            "address_protected": flag("adresse_geschuetzt"),
            "is_fictional": flag("fiktiv"),
        }
        data["service_area"], data["serves_everywhere"] = _resolve_area(
            check,
            "versorgungsgebiet",
            row.get("versorgungsgebiet", "").split(","),
            municipalities,
            region_names,
        )
        termin = row.get("termin", "") or Appointment.OPTIONAL
        if termin not in Appointment.values:
            check.error("termin", f"„{termin}“ ist keiner von {', '.join(Appointment.values)}")
        data["appointment"] = termin
        if row.get("familienplaetze"):
            if not row["familienplaetze"].isdigit():
                check.error("familienplaetze", f"„{row['familienplaetze']}“ ist keine ganze Zahl ≥ 0")
            else:
                data["family_places"] = int(row["familienplaetze"])
        if data["address_protected"] or "frauenhaus" in data["kinds"]:
            data["address_protected"] = True
            for key in ("street", "postal_code"):
                data.pop(key, None)
        verified = None
        if row.get("zuletzt_geprueft"):
            try:
                verified = date.fromisoformat(row["zuletzt_geprueft"])
            except ValueError:
                check.error("zuletzt_geprueft", f"„{row['zuletzt_geprueft']}“ ist kein Datum (JJJJ-MM-TT)")
        _check_common(check, data, municipalities, region_names)
        if check.errors:
            items.append(ImportItem(check.label, sid, {}, data, errors=check.errors))
            continue
        provider = {
            "hsds_id": org_id,
            "name": check.string(row, "organisation", required=True, max_length=200),
        }
        items.append(
            ImportItem(check.label, sid or str(uuid.uuid4()), provider, data, verified, errors=check.errors)
        )
    errors = [e for item in items for e in item.errors]
    if errors:
        raise ImportFailed(errors)
    if not items:
        raise ImportFailed(["Datei: enthält keine Angebote"])
    return items


def format_opening_hours(schedules):
    """(weekday, "HH:MM", "HH:MM") triples as the template's text, e.g. "Mo-Di 09:00-12:00, Do 09:00-12:00".

    Days with the same hours are written as runs: every schedule appears, also on days that are
    not next to each other (the edit form reads this text back, so a dropped day would be deleted).
    """
    by_hours = {}
    for weekday, opens, closes in schedules:
        by_hours.setdefault((opens, closes), set()).add(int(weekday))
    runs = []
    for (opens, closes), day_set in by_hours.items():
        days = sorted(day_set)
        start = days[0]
        for previous, day in zip(days, days[1:] + [None], strict=True):
            if day != previous + 1:
                runs.append((start, previous, opens, closes))
                start = day
    return ", ".join(
        f"{GERMAN_DAY_NAMES[first]}{'-' + GERMAN_DAY_NAMES[last] if last > first else ''} {opens}-{closes}"
        for first, last, opens, closes in sorted(runs)
    )


def csv_row(offer):
    """One offer as a row of the CSV template (public export: protected addresses left out)."""
    hours = format_opening_hours(
        (s.weekday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M"))
        for s in offer.schedules.all()
    )
    yes = lambda flag: "ja" if flag else "nein"  # noqa: E731
    protected = offer.address_protected
    return [
        str(offer.hsds_id), str(offer.provider.hsds_id), offer.provider.name, offer.name, offer.description,
        ",".join(offer.kind_list), ",".join(offer.target_list), ",".join(offer.language_list), offer.phone,
        offer.email, offer.website, "" if protected else offer.street, "" if protected else offer.postal_code,
        offer.municipality.name if offer.municipality_id else offer.city,
        ",".join(offer.area_list + (["*"] if offer.serves_everywhere else [])),
        hours, yes(offer.is_24_7), yes(offer.anonymous), yes(offer.free_of_charge), offer.appointment,
        yes(offer.step_free), yes(offer.sign_language), yes(offer.easy_language), yes(protected),
        offer.family_places if offer.family_places is not None else "",
        offer.verified_at.isoformat() if offer.verified_at else "", yes(offer.is_fictional),
    ]  # fmt: skip
