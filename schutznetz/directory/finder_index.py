"""The public directory held in memory by each worker, for the help finder's structured searches.

Why in memory: a finder request with place, kind, target group or language filters is mostly
fixed cost in the database layer (building the UNION of place branches, compiling it, turning
rows into objects) for a few hundred matching rows. The public directory is small (a national
directory is tens of thousands of offers, a few megabytes), read far more often than written,
and the same for every visitor, so each worker keeps it as plain Python sets and answers
those searches without building SQL at all.

Never stale: every request reads the one-row ``DirectoryVersion`` token (one primary-key
look-up) and the index reloads when it differs; triggers renew the token on every write to the
finder's tables (migrations 0005, 0006). The shelter traffic lights change with every report,
so they are held apart (``ShelterLights``, renewed by their own token read in the same query)
and judged by age when shown.

Free-text searches (``q``) do not come here: they use the database's search engine (German
full-text search and trigram similarity on PostgreSQL) in ``queries.filtered_offers``.
Retrieval here mirrors ``queries.filtered_offers`` + ``queries.candidate_rows`` exactly (the
same filters, place branches, order and cap); a test checks that both
give the same ranked results
(``directory/tests/test_finder_index.py``).
"""

import threading
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from schutznetz.directory import search
from schutznetz.directory.models import (
    SHELTER_REPORT_MAX_AGE,
    Municipality,
    Offer,
    OfferStatus,
    Schedule,
    ServedArea,
    ShelterReport,
)
from schutznetz.directory.regions import bounding_box

# Offers are bucketed in cells of a tenth of a degree (about 11 × 7 km) for the radius branch:
# cells wholly inside the search box are taken whole, only those on its border are checked.
CELL_DEGREES = 0.1
NEAR_MEMO_SIZE = 4096


@dataclass(frozen=True, slots=True)
class Place:
    """A municipality as the finder needs it (what ``search.rank`` and the templates read)."""

    pk: int
    name: str
    slug: str
    latitude: float
    longitude: float
    postcodes: str

    def __str__(self):
        return self.name


@dataclass(slots=True)
class Entry:
    """One public offer: the fields ``search.rank`` reads and those a result card shows.

    No ``search_text``: free-text searches never come here, and leaving it out keeps a
    national directory's index about a fifth smaller.
    """

    pk: int
    hsds_id: object
    name: str
    kinds: str
    target_groups: str
    languages: str
    barrier_free: bool
    municipality_id: int | None
    service_area: str
    serves_everywhere: bool
    latitude: float | None
    longitude: float | None
    address_protected: bool
    is_24_7: bool
    is_fictional: bool
    city: str
    phone: str
    provider__name: str
    municipality__name: str | None
    schedules: tuple = ()

    def is_open(self, weekday, time):
        """Same rule as ``queries.open_now_condition`` (a row closing at or before its opening
        runs past midnight into the next day)."""
        if self.is_24_7:
            return True
        previous = (weekday - 1) % 7
        for day, opens, closes in self.schedules:
            overnight = closes <= opens
            if day == weekday and opens <= time and (time < closes or overnight):
                return True
            if day == previous and overnight and time < closes:
                return True
        return False

    def card_row(self):
        """A fresh display row for one request (``queries.CARD_FIELDS`` plus the light)."""
        return SimpleNamespace(
            pk=self.pk,
            hsds_id=self.hsds_id,
            name=self.name,
            kinds=self.kinds,
            is_fictional=self.is_fictional,
            address_protected=self.address_protected,
            city=self.city,
            phone=self.phone,
            is_24_7=self.is_24_7,
            provider__name=self.provider__name,
            municipality__name=self.municipality__name,
            light=None,
            latest_report=None,
        )


# The columns of an Entry in its field order (``barrier_free`` is computed by the database).
ENTRY_FIELDS = (
    "pk", "hsds_id", "name", "kinds", "target_groups", "languages", "barrier_free",
    "municipality_id", "service_area", "serves_everywhere", "latitude", "longitude",
    "address_protected", "is_24_7", "is_fictional", "city", "phone", "provider__name",
    "municipality__name",
)  # fmt: skip


REPEATED_FIELDS = (
    "kinds", "target_groups", "languages", "service_area", "city", "provider__name", "municipality__name",
)  # fmt: skip


def _cell(latitude, longitude):
    return int(latitude // CELL_DEGREES), int(longitude // CELL_DEGREES)


class FinderIndex:
    def __init__(self, token, entries, places, served_areas):
        self.token = token
        self.entries = {entry.pk: entry for entry in entries}
        self.all_pks = sorted(self.entries)
        self.places = sorted(places, key=lambda place: place.name)
        # Place look-ups by exact name, slug and normalised name; each keeps the first place in
        # ``places`` order, which is the one the scan in ``queries.resolve_place`` finds.
        self.place_by_name, self.place_by_slug, self.place_by_normalised = {}, {}, {}
        self.place_by_postcode = {}
        for position, place in enumerate(self.places):
            self.place_by_name.setdefault(place.name.lower(), position)
            self.place_by_slug.setdefault(place.slug, position)
            self.place_by_normalised.setdefault(search.normalise(place.name), position)
            for postcode in place.postcodes.split():
                self.place_by_postcode.setdefault(postcode, position)
        # Names without their addition in brackets ("Wickede" for "Wickede (Ruhr)"), after all
        # full names: a full name wins.
        for position, place in enumerate(self.places):
            self.place_by_normalised.setdefault(search.base_name(place.name), position)
        # Guesses for unknown place texts (``search.guess_place``), bounded: the text is the visitor's.
        self.guess_memo = {}
        # ``_near`` per (place, radius): the same few hundred places are asked for again and
        # again. Bounded, since the radius comes from the visitor.
        self.near_memo = {}
        # The unchanging part of each shown result card, per language (``cards.cards_html``).
        self.card_memo = {}
        self.by_kind, self.by_target, self.by_language = {}, {}, {}
        self.by_municipality, self.by_served_slug, self.by_cell = {}, {}, {}
        self.everywhere, self.barrier_free = set(), set()
        for entry in entries:
            pk = entry.pk
            for codes, buckets in (
                (entry.kinds, self.by_kind),
                (entry.target_groups, self.by_target),
                (entry.languages, self.by_language),
            ):
                for code in codes.split("|"):  # "|a|b|", see taxonomy.join_codes
                    if code:
                        buckets.setdefault(code, set()).add(pk)
            for slug in served_areas.get(pk, ()):
                self.by_served_slug.setdefault(slug, set()).add(pk)
            if entry.municipality_id is not None:
                self.by_municipality.setdefault(entry.municipality_id, set()).add(pk)
            if entry.serves_everywhere:
                self.everywhere.add(pk)
            if entry.barrier_free:
                self.barrier_free.add(pk)
            if entry.latitude is not None and entry.longitude is not None:
                cell = self.by_cell.setdefault(_cell(entry.latitude, entry.longitude), {})
                cell[pk] = (entry.latitude, entry.longitude)

    # --- places ------------------------------------------------------------------------

    def place(self, text, guess=True):
        """Same answer as ``queries.resolve_place`` (name, slug or postcode; with ``guess``, a
        shortened or mistyped name too)."""
        text = (text or "").strip()
        if not text:
            return None
        if text.isdigit():
            position = self.place_by_postcode.get(text)
            return None if position is None else self.places[position]
        wanted = search.normalise(text)
        positions = [
            position
            for position in (
                self.place_by_name.get(text.lower()),
                self.place_by_slug.get(wanted.replace(" ", "-")),
            )
            if position is not None
        ]
        if positions:
            return self.places[min(positions)]
        position = self.place_by_normalised.get(wanted)
        if position is not None:
            return self.places[position]
        if not guess:
            return None
        if wanted not in self.guess_memo:
            if len(self.guess_memo) >= NEAR_MEMO_SIZE:
                self.guess_memo.clear()
            self.guess_memo[wanted] = search.guess_place(wanted, self.places)
        return self.guess_memo[wanted]

    # --- retrieval -------------------------------------------------------------------

    def _near(self, place, radius_km):
        """The union of ``queries.place_branches``: in, serving, everywhere, or in the box."""
        key = (place.pk, radius_km)
        near = self.near_memo.get(key)
        if near is None:
            if len(self.near_memo) >= NEAR_MEMO_SIZE:
                self.near_memo.clear()
            near = self.near_memo[key] = frozenset(self._near_uncached(place, radius_km))
        return near

    def _near_uncached(self, place, radius_km):
        min_lat, max_lat, min_lon, max_lon = bounding_box(place.latitude, place.longitude, radius_km)
        near = set(self.by_municipality.get(place.pk, ()))
        near |= self.by_served_slug.get(place.slug, set())
        near |= self.everywhere
        low, high = _cell(min_lat, min_lon), _cell(max_lat, max_lon)
        for row in range(low[0], high[0] + 1):
            for column in range(low[1], high[1] + 1):
                cell = self.by_cell.get((row, column))
                if cell is None:
                    continue
                if low[0] < row < high[0] and low[1] < column < high[1]:
                    near |= cell.keys()  # wholly inside the box
                else:
                    near.update(
                        pk
                        for pk, (latitude, longitude) in cell.items()
                        if min_lat <= latitude <= max_lat and min_lon <= longitude <= max_lon
                    )
        return near

    def candidates(self, params, place, limit, now=None):
        """Entries matching the filters (and near the place), in pk order, at most ``limit``."""
        required = []
        for value, buckets in (
            (params.art, self.by_kind),
            (params.zielgruppe, self.by_target),
            (params.sprache, self.by_language),
        ):
            if value:
                required.append(buckets.get(value, set()))
        if params.barrierefrei:
            required.append(self.barrier_free)
        if place is not None:
            required.append(self._near(place, params.umkreis))
        if required:
            required.sort(key=len)
            pks = set(required[0]).intersection(*required[1:])
            pks = sorted(pks)
        else:
            pks = self.all_pks
        entries = (self.entries[pk] for pk in pks)
        if params.jetzt_offen:
            local = timezone.localtime(now or timezone.now())
            weekday, time = local.weekday(), local.time()
            entries = (entry for entry in entries if entry.is_open(weekday, time))
        found = []
        for entry in entries:
            found.append(entry)
            if len(found) == limit:
                break
        return found


def _load(token):
    public = Offer.objects.filter(is_published=True, status=OfferStatus.ACTIVE)
    # Served areas from their table, as the database search reads them (``place_branches``).
    served_areas = {}
    for offer_id, slug in ServedArea.objects.filter(offer__in=public).values_list("offer_id", "slug"):
        served_areas.setdefault(offer_id, []).append(slug)
    schedules = {}
    for offer_id, weekday, opens, closes in Schedule.objects.filter(offer__in=public).values_list(
        "offer_id", "weekday", "opens_at", "closes_at"
    ):
        schedules.setdefault(offer_id, []).append((weekday, opens, closes))
    barrier_free = ExpressionWrapper(
        Q(step_free=True) | Q(sign_language=True) | Q(easy_language=True), output_field=BooleanField()
    )
    # Codes, places and provider names repeat across offers: keep one copy of each string.
    shared = {}
    repeated = [ENTRY_FIELDS.index(name) for name in REPEATED_FIELDS]
    entries = []
    for row in public.annotate(barrier_free=barrier_free).values_list(*ENTRY_FIELDS):
        row = list(row)
        for position in repeated:
            row[position] = shared.setdefault(row[position], row[position])
        entries.append(Entry(*row, tuple(schedules.get(row[0], ()))))
    places = [
        Place(*row)
        for row in Municipality.objects.values_list(
            "pk", "name", "slug", "latitude", "longitude", "postcodes"
        )
    ]
    return FinderIndex(token, entries, places, served_areas)


@dataclass(frozen=True, slots=True)
class Versions:
    """Both tokens of ``DirectoryVersion``, read in one query per request."""

    directory: str | None
    reports: str | None


def versions():
    """The directory's and the shelter reports' tokens (``None`` if a test flush removed the row)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token, reports_token FROM directory_directoryversion WHERE id = 1")
        row = cursor.fetchone()
    return Versions(*row) if row else Versions(None, None)


def current_token():
    return versions().directory


@dataclass(frozen=True, slots=True)
class ShelterLights:
    """Per shelter its newest report since ``since`` (``offer_id``, ``free_places``,
    ``reported_at``): what the traffic lights on the finder's result cards show.

    Held per worker like the index and renewed with ``reports_token``. Reports older than
    ``SHELTER_REPORT_MAX_AGE`` at load time are left out: they can only ever give a grey light.
    A light's age is judged when it is shown, so the grey light after 24 hours stays exact.
    """

    token: str | None
    since: object
    latest: dict

    def latest_since(self, offer_ids, since):
        """Like ``queries.latest_reports(offer_ids, since)``; ``None`` when ``since`` reaches
        back before what was loaded (a caller asking about the past)."""
        if since < self.since:
            return None
        found = {}
        for offer_id in offer_ids:
            report = self.latest.get(offer_id)
            if report is not None and report.reported_at >= since:
                found[offer_id] = report
        return found


def _load_lights(token):
    since = timezone.now() - SHELTER_REPORT_MAX_AGE
    latest = {}
    reports = ShelterReport.objects.filter(reported_at__gte=since).order_by("offer_id", "-reported_at")
    for offer_id, free_places, reported_at in reports.values_list("offer_id", "free_places", "reported_at"):
        if offer_id not in latest:
            latest[offer_id] = SimpleNamespace(
                offer_id=offer_id, free_places=free_places, reported_at=reported_at
            )
    return ShelterLights(token, since, latest)


class _PerWorker:
    """A value built from the database and kept while its token stays the same."""

    def __init__(self, load):
        self.load = load
        self.value = None
        self.lock = threading.Lock()

    def get(self, token):
        value = self.value
        if value is not None and token is not None and value.token == token:
            return value
        with self.lock:
            value = self.value
            if value is None or token is None or value.token != token:
                # Token first, then the data: a write committed in between renews the token
                # again, so the next request reloads instead of keeping older data.
                value = self.load(token)
                # Without a token (only after a test flush) nothing ties the value to the data.
                if token is not None:
                    self.value = value
            return value


_index = _PerWorker(_load)
_lights = _PerWorker(_load_lights)


def current(tokens=None):
    """This worker's index, reloaded first if the directory changed since it was built."""
    return _index.get((tokens or versions()).directory)


def current_lights(tokens=None):
    """This worker's shelter lights, reloaded first if a report came in since."""
    return _lights.get((tokens or versions()).reports)
