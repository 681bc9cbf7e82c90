"""Every read of the directory: public (approved, active offers) and staff (scoped to the user)."""

from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import SimpleNamespace

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Min, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schutznetz.accounts.models import Role
from schutznetz.core.access import get_scoped_or_404
from schutznetz.directory import finder_index, search, taxonomy
from schutznetz.directory.models import (
    DECLINE_FIELDS,
    SHELTER_REPORT_MAX_AGE,
    Municipality,
    Offer,
    OfferRevision,
    OfferStatus,
    RevisionStatus,
    Schedule,
    SearchWord,
    ServedArea,
    ShelterReport,
)
from schutznetz.directory.regions import bounding_box, haversine_km

DEFAULT_RADIUS_KM = 30
MAX_CANDIDATES = 2000
PAGE_SIZE = 20
RANK_FIELDS = (
    "pk", "name", "search_text", "municipality_id", "service_area", "serves_everywhere",
    "latitude", "longitude", "address_protected",
)  # fmt: skip


# --- Public -----------------------------------------------------------------


def public_offers():
    return Offer.objects.filter(is_published=True, status=OfferStatus.ACTIVE)


def public_offer_or_404(hsds_id):
    return get_scoped_or_404(
        public_offers().select_related("provider", "municipality").prefetch_related("schedules"),
        hsds_id=hsds_id,
    )


def resolve_place(text, guess=True):
    """A municipality by name, slug or postcode (e.g. "Lippstadt", "lippstadt", "59555"), by its
    name without the addition in brackets ("Wickede"), and with ``guess`` by a shortened or
    mistyped name ("Lipstadt", see ``search.guess_place``). A postcode must be whole."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        candidates = Municipality.objects.filter(postcodes__contains=text).order_by("name")
        return next((m for m in candidates if search.has_postcode(m.postcodes, text)), None)
    found = Municipality.objects.filter(
        Q(name__iexact=text) | Q(slug=search.normalise(text).replace(" ", "-"))
    ).first()
    if found is None:
        # Case-insensitive match of non-ASCII names does not work on SQLite: compare normalised names.
        wanted = search.normalise(text)
        places = list(Municipality.objects.only("name", "slug"))
        for normalised in (search.normalise, search.base_name):
            for municipality in places:
                if normalised(municipality.name) == wanted:
                    return Municipality.objects.get(pk=municipality.pk)
        guessed = search.guess_place(wanted, places) if guess else None
        return Municipality.objects.get(pk=guessed.pk) if guessed else None
    return found


# The finder's choice parameters; labels lazy, so that they are translated only for a message.
CHOICE_PARAMETERS = (
    ("art", taxonomy.KINDS, gettext_lazy("Art der Hilfe")),
    ("zielgruppe", taxonomy.TARGET_GROUPS, gettext_lazy("Zielgruppe")),
    ("sprache", taxonomy.LANGUAGES, gettext_lazy("Sprache")),
)


@dataclass
class FinderParams:
    q: str = ""
    ort: str = ""
    art: str = ""
    zielgruppe: str = ""
    sprache: str = ""
    barrierefrei: bool = False
    jetzt_offen: bool = False
    umkreis: int = DEFAULT_RADIUS_KM
    seite: int = 1
    problems: list = field(default_factory=list)

    @classmethod
    def from_query(cls, data):
        params = cls()
        params.q = (data.get("q") or "").strip()[:200]
        params.ort = (data.get("ort") or "").strip()[:100]
        for name, allowed, label in CHOICE_PARAMETERS:
            value = (data.get(name) or "").strip()
            if value and value not in allowed:
                params.problems.append(
                    _("%(field)s: „%(value)s“ ist unbekannt und wurde ignoriert.")
                    % {"field": label, "value": value}
                )
                value = ""
            setattr(params, name, value)
        params.barrierefrei = data.get("barrierefrei") in ("1", "true", "on", "ja")
        params.jetzt_offen = data.get("jetzt_offen") in ("1", "true", "on", "ja")
        for name, low, high, default in (("umkreis", 1, 500, DEFAULT_RADIUS_KM), ("seite", 1, 1000, 1)):
            try:
                setattr(params, name, min(max(int(data.get(name) or default), low), high))
            except ValueError:
                setattr(params, name, default)
        return params

    def as_query(self):
        """The search as (name, value) pairs, for a link that leads back to it (result card →
        offer page → "Zurück zur Suche"). Only the finder's own parameters, only values
        ``from_query`` accepted (unknown codes are already dropped, numbers clamped), defaults
        left out, in a fixed order: whatever else a URL carried does not travel on."""
        pairs = [("q", self.q), ("ort", self.ort), ("art", self.art)]
        pairs += [("zielgruppe", self.zielgruppe), ("sprache", self.sprache)]
        pairs += [
            ("barrierefrei", "1" if self.barrierefrei else ""),
            ("jetzt_offen", "1" if self.jetzt_offen else ""),
        ]
        if self.umkreis != DEFAULT_RADIUS_KM:
            pairs.append(("umkreis", str(self.umkreis)))
        if self.seite != 1:
            pairs.append(("seite", str(self.seite)))
        return [(name, value) for name, value in pairs if value]

    def filters(self):
        return {
            "art": self.art,
            "zielgruppe": self.zielgruppe,
            "sprache": self.sprache,
            "barrierefrei": self.barrierefrei,
            "jetzt_offen": self.jetzt_offen,
        }

    @property
    def is_empty(self):
        return not (self.q or self.ort or any(self.filters().values()))


def open_now_condition(now=None):
    """Open now: 24/7, or a schedule row covering the local time. A row that closes at or before
    it opens runs past midnight ("Fr 20:00-02:00", "Sa 18:00-00:00"): it counts on its own day
    from its opening, and on the next day until its closing (same rule as ``Entry.is_open``)."""
    local = timezone.localtime(now or timezone.now())
    weekday, time = local.weekday(), local.time()
    overnight = Q(closes_at__lte=F("opens_at"))
    open_schedule = Schedule.objects.filter(offer=OuterRef("pk")).filter(
        Q(weekday=weekday, opens_at__lte=time) & (Q(closes_at__gt=time) | overnight)
        | Q(weekday=(weekday - 1) % 7, closes_at__gt=time) & overnight
    )
    return Q(is_24_7=True) | Q(Exists(open_schedule))


def fuzzy_words(token):
    """Vocabulary words that look like a mistyped token (trigram on PostgreSQL, difflib on SQLite)."""
    if len(token) < 5:
        return []
    words = SearchWord.objects.all()
    if connection.vendor == "postgresql":
        words = words.annotate(similarity=TrigramSimilarity("word", token)).filter(similarity__gte=0.3)
        words = words.order_by("-similarity")[:200]
    else:
        words = words.annotate(length=Length("word")).filter(
            length__gte=len(token) - 2, length__lte=len(token) + 2
        )
    return search.fuzzy_candidates(token, words.values_list("word", flat=True))


def text_condition(token):
    condition = Q(search_text__contains=search.token_sql_needle(token))
    if connection.vendor == "postgresql":
        condition |= Q(
            RawSQL(
                "to_tsvector('german', directory_offer.search_text) @@ plainto_tsquery('german', %s)",
                [token],
                output_field=BooleanField(),
            )
        )
    for word in fuzzy_words(token):
        condition |= Q(search_text__contains=f" {word} ")
    return condition


def filtered_offers(params, now=None):
    """Public offers narrowed in SQL by every filter (the retrieval step)."""
    offers = public_offers()
    if params.art:
        offers = offers.filter(kinds__contains=f"|{params.art}|")
    if params.zielgruppe:
        offers = offers.filter(target_groups__contains=f"|{params.zielgruppe}|")
    if params.sprache:
        offers = offers.filter(languages__contains=f"|{params.sprache}|")
    if params.barrierefrei:
        offers = offers.filter(Q(step_free=True) | Q(sign_language=True) | Q(easy_language=True))
    if params.jetzt_offen:
        offers = offers.filter(open_now_condition(now))
    for token in search.tokens(params.q):
        offers = offers.filter(text_condition(token))
    return offers


def place_branches(place, radius_km):
    """One indexed condition per way an offer can be near the place; candidate_rows combines them
    by UNION (an OR over these conditions would make the database scan every offer)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(place.latitude, place.longitude, radius_km)
    return [
        Q(municipality=place),
        Q(pk__in=ServedArea.objects.filter(slug=place.slug).values("offer_id")),
        Q(serves_everywhere=True),
        Q(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)),
    ]


def candidate_rows(offers, branches=None):
    """Light rows (dicts of RANK_FIELDS) of at most MAX_CANDIDATES candidates."""
    if not branches:
        return list(offers.order_by("pk").values(*RANK_FIELDS)[:MAX_CANDIDATES])
    parts = [offers.filter(branch).order_by().values(*RANK_FIELDS) for branch in branches]
    return list(parts[0].union(*parts[1:]).order_by("pk")[:MAX_CANDIDATES])


PLACE_SCAN_WORDS = 12  # of the free text, looked at for a place name (bounded: the text is the visitor's)
PLACE_NAME_WORDS = 4  # the most words a place name has ("Frankfurt am Main")


def place_in_text(params, index=None):
    """The search with a place typed into the free text instead of the place field.

    "Lippstadt", "59555" or "Frauenberatung Lippstadt" in ``q`` with no ``ort`` would otherwise
    only find offers whose text names the place (a postcode finds nothing): the place (a whole
    name, slug or postcode, never a guess) moves to ``ort``, the rest stays the free text.
    Returns ``params`` unchanged when there is nothing to move."""
    if params.ort or not params.q:
        return params
    index = index or finder_index.current()
    words = params.q.split()[:PLACE_SCAN_WORDS]
    for length in range(min(len(words), PLACE_NAME_WORDS), 0, -1):
        for start in range(len(words) - length + 1):
            text = " ".join(words[start : start + length])
            if index.place(text, guess=False) is not None:
                rest = " ".join(words[:start] + words[start + length :] + params.q.split()[PLACE_SCAN_WORDS:])
                # Nothing left to search for ("Hilfe in Lippstadt"): no free text, so the index answers.
                rest = rest if search.tokens(rest) else ""
                return replace(params, q=rest, ort=text.strip(".,;:!?"), problems=list(params.problems))
    return params


@dataclass
class FinderResult:
    params: FinderParams
    place: object
    results: list
    total: int
    page: int
    has_next: bool
    problems: list
    # Where ``cards.cards_html`` may keep the unchanging part of each card: the index's memo
    # when the page was ranked from it (it lives as long as the data it was built from).
    card_memo: dict | None = None


def ranked_offers(params, now=None, use_index=True, tokens=None, index=None):
    """(place, ranked results, problems) for the finder's parameters.

    Searches without free text are answered from the worker's in-memory index
    (``finder_index``); free text (or ``use_index=False``) goes to the database. Both hand
    the same kind of light rows to the one ranking function. ``tokens``: the request's
    ``finder_index.versions()``, if already read; ``index``: the index, if already at hand.
    """
    if index is None and use_index and not params.q:
        index = finder_index.current(tokens)
    place = None
    if params.ort:
        place = index.place(params.ort) if index else resolve_place(params.ort)
    problems = list(params.problems)
    if params.ort and place is None:
        problems.append(
            _("Ort: „%(ort)s“ ist uns nicht bekannt; es werden alle Orte gezeigt.") % {"ort": params.ort}
        )
    elif (
        place is not None
        and not params.ort.isdigit()
        and search.normalise(params.ort) != search.normalise(place.name)
    ):
        # A shortened or mistyped name: say which place the results are for.
        problems.append(
            _("Ort: „%(ort)s“ – gezeigt werden Angebote für %(place)s.")
            % {"ort": params.ort, "place": place.name}
        )
    if index is not None:
        candidates = index.candidates(params, place, MAX_CANDIDATES, now)
    else:
        # Rank light rows (no model instances); only the shown page is loaded in full (load_page).
        candidates = [
            SimpleNamespace(**row)
            for row in candidate_rows(
                filtered_offers(params, now), place_branches(place, params.umkreis) if place else None
            )
        ]

    def distance(offer):
        if offer.latitude is None or offer.longitude is None:
            return None
        return haversine_km(place.latitude, place.longitude, offer.latitude, offer.longitude)

    ranked = search.rank(
        candidates,
        search.tokens(params.q),
        place,
        params.filters(),
        params.umkreis,
        distance if place else None,
    )
    return place, ranked, problems


def load_page(ranked, now=None):
    """Replace the light rows of ``ranked`` by full offers (provider, municipality, schedules)."""
    offers = public_offers().select_related("provider", "municipality").prefetch_related("schedules")
    by_pk = offers.in_bulk([r.offer.pk for r in ranked])
    for r in ranked:
        r.offer = by_pk[r.offer.pk]
    attach_shelter_lights([r.offer for r in ranked], now)
    return ranked


CARD_FIELDS = (
    "pk", "hsds_id", "name", "kinds", "is_fictional", "address_protected", "city", "phone", "is_24_7",
    "provider__name", "municipality__name",
)  # fmt: skip


def load_cards(ranked, now=None, tokens=None):
    """The finder's result page as light display rows (one query of plain values, no model
    instances, no schedules); shelters get their traffic light like ``load_page``."""
    if all(isinstance(r.offer, finder_index.Entry) for r in ranked):
        # Ranked from the in-memory index: the entries carry the card fields already.
        by_pk = {r.offer.pk: r.offer.card_row() for r in ranked}
    else:
        rows = public_offers().filter(pk__in=[r.offer.pk for r in ranked]).values(*CARD_FIELDS)
        by_pk = {row["pk"]: SimpleNamespace(**row, light=None, latest_report=None) for row in rows}
    shelters = [o for o in by_pk.values() if "|frauenhaus|" in (o.kinds or "")]  # taxonomy.join_codes
    if shelters:
        # Only a report younger than SHELTER_REPORT_MAX_AGE can make a light other than grey.
        since = (now or timezone.now()) - SHELTER_REPORT_MAX_AGE
        ids = [o.pk for o in shelters]
        reports = finder_index.current_lights(tokens).latest_since(ids, since)
        if reports is None:  # a caller asking about the past: from the database
            reports = latest_reports(ids, since=since)
        for offer in shelters:
            offer.latest_report = reports.get(offer.pk)
            offer.light = traffic_light(offer.latest_report, now)
    page = []
    for r in ranked:
        if r.offer.pk in by_pk:  # withdrawn between ranking and loading: left out
            r.offer = by_pk[r.offer.pk]
            page.append(r)
    return page


def find_offers(params, now=None, cards=False):
    """One page of ranked results: full offers (``load_page``) or, with ``cards``, the light
    display rows the public finder renders (``load_cards``)."""
    tokens = finder_index.versions() if cards else None  # one query for index and lights
    if params.q and not params.ort:
        params = place_in_text(params, finder_index.current(tokens) if cards else None)
    index = finder_index.current(tokens) if cards and not params.q else None
    place, ranked, problems = ranked_offers(params, now, tokens=tokens, index=index)
    # A page past the end (an old link, fewer offers since) shows the last page: not
    # "12 Angebote gefunden" above "Kein Angebot passt".
    number = min(params.seite, max(1, -(-len(ranked) // PAGE_SIZE)))
    start = (number - 1) * PAGE_SIZE
    shown = ranked[start : start + PAGE_SIZE]
    page = load_cards(shown, now, tokens) if cards else load_page(shown, now)
    return FinderResult(
        params,
        place,
        page,
        len(ranked),
        number,
        len(ranked) > start + PAGE_SIZE,
        problems,
        index.card_memo if index is not None else None,
    )


# --- Shelter availability --------------------------------------------------


def traffic_light(report, now=None):
    """green: places free; red: no admission now; grey: no report for 24 hours ("bitte anrufen")."""
    now = now or timezone.now()
    if report is None or now - report.reported_at > SHELTER_REPORT_MAX_AGE:
        return "grey"
    return "green" if report.free_places > 0 else "red"


def latest_reports(offer_ids, since=None):
    reports = ShelterReport.objects.filter(offer_id__in=list(offer_ids))
    if since is not None:
        reports = reports.filter(reported_at__gte=since)
    latest = {}
    for report in reports.order_by("offer_id", "-reported_at"):
        latest.setdefault(report.offer_id, report)
    return latest


def attach_shelter_lights(offers, now=None):
    shelters = [o for o in offers if o.is_shelter]
    reports = latest_reports(o.pk for o in shelters) if shelters else {}
    for offer in shelters:
        offer.latest_report = reports.get(offer.pk)
        offer.light = traffic_light(offer.latest_report, now)
    return offers


def shelter_overview(user, now=None):
    """All shelters in the county for professionals (Fachkraft, Koordination, Moderation)."""
    if not user.has_perm("directory.view_shelter_overview"):
        return []
    shelters = list(public_offers().filter(kinds__contains="|frauenhaus|").select_related("municipality"))
    attach_shelter_lights(shelters, now)
    declined = declined_in_last_days((s.pk for s in shelters), DECLINED_OVERVIEW_DAYS, now)
    for shelter in shelters:
        shelter.declined_recent = declined.get(shelter.pk)
    return shelters


def shelter_history(offer, limit=50):
    return list(offer.shelter_reports.select_related("reported_by")[:limit])


# --- Staff ----------------------------------------------------------------


def editable_offers(user):
    """Offers the user may edit: all for Koordination, own organisation's for Anbieter."""
    offers = Offer.objects.select_related("provider", "municipality")
    if user.has_role(Role.KOORDINATION):
        return offers
    if user.has_role(Role.ANBIETER) and user.organisation_id:
        return offers.filter(provider__organisation_id=user.organisation_id)
    return offers.none()


def editable_offer_or_404(user, pk):
    return get_scoped_or_404(editable_offers(user), pk=pk)


def pending_revisions(user):
    if not user.has_perm("directory.review_offers"):
        return OfferRevision.objects.none()
    return OfferRevision.objects.filter(status=RevisionStatus.PENDING).select_related("offer", "submitted_by")


def pending_revision_or_404(user, pk):
    return get_scoped_or_404(pending_revisions(user), pk=pk)


def reportable_shelters(user):
    return editable_offers(user).filter(kinds__contains="|frauenhaus|")


def offers_due_for_verification(today=None, months=6):
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=round(months * 30.44))
    return Offer.objects.filter(status=OfferStatus.ACTIVE).filter(
        Q(verified_at__isnull=True) | Q(verified_at__lte=cutoff)
    )


# --- Requests a shelter could not admit (anonymous counts on ShelterReport) ---------------

DECLINED_OVERVIEW_DAYS = 7


def _declined_sum():
    """Sum of all reasons of one report (NULL for a report without recorded counts)."""
    total = None
    for name in DECLINE_FIELDS:
        total = F(name) if total is None else total + F(name)
    return total


def declined_in_last_days(offer_ids, days=DECLINED_OVERVIEW_DAYS, now=None):
    """{offer id: requests not admitted in the last ``days`` days} for shelters that recorded any
    counts in that time (one GROUP BY query); shelters without recorded counts are left out."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = (
        ShelterReport.objects.filter(
            offer_id__in=list(offer_ids), reported_at__gte=since, declined_no_place__isnull=False
        )
        .order_by()
        .values("offer_id")
        .annotate(n=Sum(_declined_sum()))
    )
    return {row["offer_id"]: row["n"] or 0 for row in rows}


@dataclass
class DeclinedCounts:
    """Requests not admitted in a period, for the statistics.

    ``recorded`` is False when no shelter report in the period carried counts (the period
    predates the recording): then the numbers are unknown, not zero.
    """

    recorded: bool
    by_reason: dict
    first_recorded_at: object = None
    unrecorded_reports: int = 0  # reports in the period without counts (made before recording began)

    @property
    def total(self):
        return sum(self.by_reason.values())


def declined_request_counts(start, end, organisation=None):
    """Requests shelters could not admit, reported in [start, end), summed per reason (one
    aggregate query). Shelters are all offers of the kind Frauenhaus; with ``organisation``,
    those of its providers. Statistics only: no per-user scope, the caller publishes the
    numbers through disclosure control."""
    reports = ShelterReport.objects.filter(
        offer__kinds__contains="|frauenhaus|", reported_at__gte=start, reported_at__lt=end
    )
    if organisation is not None:
        reports = reports.filter(offer__provider__organisation=organisation)
    recorded = Q(declined_no_place__isnull=False)
    row = reports.aggregate(
        recorded=Count("pk", filter=recorded),
        unrecorded=Count("pk", filter=~recorded),
        first=Min("reported_at", filter=recorded),
        **{name: Sum(name) for name in DECLINE_FIELDS},
    )
    return DeclinedCounts(
        recorded=bool(row["recorded"]),
        by_reason={name: row[name] or 0 for name in DECLINE_FIELDS},
        first_recorded_at=row["first"],
        unrecorded_reports=row["unrecorded"],
    )
