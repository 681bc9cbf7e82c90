"""Search text, matching and the one ranking function used on both databases.

How a search runs (``queries.find_offers``):

1. **Retrieval in SQL** narrows the public offers by the filters (kind, target group,
   language, accessibility, open now, place) and by the free text. Free text is matched
   per token against the normalised ``Offer.search_text``:
   a token's stem as a substring (``LIKE``; on PostgreSQL served by a ``pg_trgm`` GIN
   index), on PostgreSQL additionally German full-text search
   (``to_tsvector('german', …) @@ plainto_tsquery('german', …)``, GIN index), and
   vocabulary words that look like the token (typos such as "Frauenberatng"): on
   PostgreSQL found with trigram similarity on ``SearchWord``, on SQLite with difflib.
2. **Ranking in Python** (``rank``) scores the bounded candidate set with the same
   rules on both databases and says for each result why it matched. A candidate
   the rules do not confirm is dropped, so both databases give the same results.
"""

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from schutznetz.directory import taxonomy

FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
STOPWORDS = {
    "und", "oder", "der", "die", "das", "den", "dem", "des", "fuer", "bei", "mit", "in", "im", "nach",
    "von", "vom", "zu", "zum", "zur", "ein", "eine", "einer", "auf", "an", "am", "the", "for", "and",
    "of", "to", "a", "ich", "mir", "mich", "hilfe",
}  # fmt: skip
SUFFIXES = ("ungen", "innen", "en", "er", "es", "e", "n", "s")
FUZZY_CUTOFF = 0.8
MAX_TOKENS = 6
# Weights by where a token matched: name, kind/target group, anything else.
WEIGHTS = {"name": 3.0, "taxonomy": 2.0, "text": 1.0}
FUZZY_FACTOR = 0.5
SECTION = " | "


def normalise(text):
    text = (text or "").lower().translate(FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def stem(word):
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(query):
    words = [w for w in normalise(query).split() if len(w) >= 2 and w not in STOPWORDS]
    return list(dict.fromkeys(words))[:MAX_TOKENS]


def build_search_text(offer, provider_name=""):
    """Three sections: name | taxonomy labels | other text (all normalised)."""
    kind_labels = [str(taxonomy.KINDS.get(c, c)) for c in taxonomy.split_codes(offer.kinds)]
    target_labels = [str(taxonomy.TARGET_GROUPS.get(c, c)) for c in taxonomy.split_codes(offer.target_groups)]
    languages = [str(taxonomy.LANGUAGES.get(c, c)) for c in taxonomy.split_codes(offer.languages)]
    name = normalise(f"{offer.name} {provider_name}")
    tax = normalise(" ".join(kind_labels + target_labels))
    city = (
        offer.municipality.name
        if getattr(offer, "municipality_id", None) and offer.municipality
        else offer.city
    )
    other = normalise(" ".join([offer.description or "", " ".join(languages), city or ""]))
    return f" {name}{SECTION}{tax}{SECTION}{other} "


def vocabulary(search_text):
    return {w for w in search_text.replace("|", " ").split() if len(w) >= 3}


def similar(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def fuzzy_candidates(token, words):
    """Words that look like a mistyped ``token`` (same rule on both databases)."""
    if len(token) < 5:
        return []
    return sorted(
        w for w in words if abs(len(w) - len(token)) <= 2 and w != token and similar(token, w) >= FUZZY_CUTOFF
    )


def base_name(name):
    """A place's name without its addition in brackets, normalised: "Wickede (Ruhr)" → "wickede"."""
    return normalise(re.sub(r"\([^)]*\)", " ", name or ""))


def has_postcode(postcodes, text):
    """Whether ``text`` is one of a place's postcodes (whole codes only: "5" or "595" is none)."""
    return text in (postcodes or "").split()


PLACE_PREFIX_MIN = 4


def guess_place(wanted, places):
    """The place a shortened or mistyped name most likely means, or None; ``wanted`` is normalised,
    ``places`` in name order. Whole first words count if only one place starts with them
    ("Frankfurt" → Frankfurt am Main), else the one clearly most similar name ("Lipstadt")."""
    if len(wanted) < PLACE_PREFIX_MIN or wanted.isdigit():
        return None
    names = [(normalise(place.name), place) for place in places]
    starting = [place for name, place in names if name.startswith(wanted + " ")]
    if len(starting) == 1:
        return starting[0]
    if starting:
        return None  # "Bad" in a country of spas: ask, do not guess
    matcher = difflib.SequenceMatcher(None, "", wanted)
    scores = []
    for name, place in names:
        matcher.set_seq1(name)
        if matcher.real_quick_ratio() >= FUZZY_CUTOFF and matcher.quick_ratio() >= FUZZY_CUTOFF:
            ratio = matcher.ratio()
            if ratio >= FUZZY_CUTOFF:
                scores.append((ratio, place))
    scores.sort(key=lambda scored: -scored[0])
    if scores and (len(scores) == 1 or scores[1][0] < scores[0][0]):
        return scores[0][1]
    return None


def token_sql_needle(token):
    """The substring the database looks for: the token's stem."""
    return stem(token)


@dataclass
class TokenMatch:
    token: str
    section: str
    word: str
    fuzzy: bool

    @property
    def score(self):
        return WEIGHTS[self.section] * (FUZZY_FACTOR if self.fuzzy else 1.0)


def match_token(token, sections):
    """Best match of one token in the sections (name, taxonomy, text) of a search text."""
    needle = stem(token)
    best = None
    for section, text in sections.items():
        for word in text.split():
            if needle in word:
                found = TokenMatch(token, section, word, False)
            elif (
                len(token) >= 5 and abs(len(word) - len(token)) <= 2 and similar(token, word) >= FUZZY_CUTOFF
            ):
                found = TokenMatch(token, section, word, True)
            else:
                continue
            if best is None or found.score > best.score:
                best = found
        if best is not None and not best.fuzzy and best.section == section:
            break
    return best


def split_sections(search_text):
    parts = (search_text or "").split("|")
    parts += [""] * (3 - len(parts))
    return {"name": parts[0], "taxonomy": parts[1], "text": parts[2]}


@dataclass
class Ranked:
    offer: object
    score: float
    distance_km: float | None
    reasons: list = field(default_factory=list)


@functools.lru_cache(maxsize=1024)
def _filter_reasons(language, art, zielgruppe, sprache, barrierefrei, jetzt_offen):
    """The reasons every result of a search shares (``language`` keys the cache only)."""
    reasons = []
    if art:
        reasons.append(_("Art: %(label)s") % {"label": taxonomy.KINDS[art]})
    if zielgruppe:
        reasons.append(_("Zielgruppe: %(label)s") % {"label": taxonomy.TARGET_GROUPS[zielgruppe]})
    if sprache:
        reasons.append(_("Sprache: %(label)s") % {"label": taxonomy.LANGUAGES.get(sprache, sprache)})
    if barrierefrei:
        reasons.append(_("barrierefrei"))
    if jetzt_offen:
        reasons.append(_("jetzt erreichbar"))
    return tuple(reasons)


@functools.lru_cache(maxsize=4096)
def _place_reasons(language, name):
    """In, serving, everywhere and distance wording for one place (``language`` keys the cache)."""
    return (
        _("in %(place)s") % {"place": name},
        _("zuständig für %(place)s") % {"place": name},
        _("überregional erreichbar"),
        _("ca. %(km)s km entfernt"),
    )


def rank(candidates, query_tokens, place=None, filters=None, radius_km=None, distance=None):
    """Score, filter and explain candidates. The single ranking function for both databases.

    ``candidates``: offers with ``search_text``, ``municipality_id``, ``service_area``,
    ``serves_everywhere``, ``latitude``/``longitude``. ``place``: a Municipality or None.
    ``distance(offer)``: km from the place (or None). Returns a sorted list of Ranked.
    """
    filters = filters or {}
    results = []
    # The same for every candidate, and for every search with the same filters and place:
    # translated once per worker and language.
    language = get_language()
    filter_reasons = list(
        _filter_reasons(
            language,
            filters.get("art"),
            filters.get("zielgruppe"),
            filters.get("sprache"),
            bool(filters.get("barrierefrei")),
            bool(filters.get("jetzt_offen")),
        )
    )
    if place is not None:
        in_place, serving_place, everywhere, about_km = _place_reasons(language, place.name)
        place_marker = f"|{place.slug}|"
    for offer in candidates:
        reasons = []
        relevance = 0.0
        if query_tokens:
            sections = split_sections(offer.search_text)
            matches = [match_token(t, sections) for t in query_tokens]
            if any(m is None for m in matches):
                continue
            for m in matches:
                relevance += m.score
                if m.fuzzy:
                    reasons.append(
                        _("ähnliche Schreibweise: „%(token)s“ → „%(word)s“")
                        % {"token": m.token, "word": m.word}
                    )
                elif m.section == "name":
                    reasons.append(_("Name passt zu „%(token)s“") % {"token": m.token})
                elif m.section == "taxonomy":
                    reasons.append(_("Art oder Zielgruppe passt zu „%(token)s“") % {"token": m.token})
                else:
                    reasons.append(_("Beschreibung passt zu „%(token)s“") % {"token": m.token})
        reasons.extend(filter_reasons)
        km = None
        closeness = 0.0
        if place is not None:
            local = offer.municipality_id == place.pk
            serving = place_marker in (offer.service_area or "")
            km = distance(offer) if distance else None
            if not (local or serving or offer.serves_everywhere) and (km is None or km > radius_km):
                continue
            if local:
                reasons.append(in_place)
                closeness = 5.0
            elif serving:
                reasons.append(serving_place)
                closeness = 4.0
            elif offer.serves_everywhere and (km is None or km > radius_km):
                reasons.append(everywhere)
                closeness = 3.0
            if km is not None and not offer.address_protected and not local:
                reasons.append(about_km % {"km": f"{km:.0f}"})
                closeness = max(closeness, 5.0 - km / 10.0)
        results.append(Ranked(offer, relevance * 10 + closeness, km, reasons))
    results.sort(key=lambda r: (-r.score, r.distance_km if r.distance_km is not None else 1e9, r.offer.name))
    return results
