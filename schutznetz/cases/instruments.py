"""Risk instruments are data: YAML files with items, help texts, weights, bands and thresholds.

Every ``*.yaml`` in ``schutznetz/cases/instruments/`` (and in the directories listed in
``settings.SCHUTZNETZ_RISK_INSTRUMENT_DIRS``) is an instrument; adding one needs no code.
They are aids to structured professional judgement, not validated actuarial scores.

Texts are German; a translation sits beside it under the same key with a language suffix
(``text_en``, ``help_en``, ``title_en``, ``disclaimer_en``) and is shown on that language's pages.
A text without a translation is shown in German.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language

from schutznetz.cases.models import BAND_ORDER, RiskBand

BUILTIN_DIR = Path(__file__).resolve().parent / "instruments"


class LocalText(str):
    """A text of an instrument: the German text, and its translations by language code.

    A ``str`` (German) so that comparisons, sorting and logging stay plain; ``str()`` and templates
    give the text in the active language, so a form label built for an ``/en/`` page is English.
    """

    def __new__(cls, german, translations=None):
        text = super().__new__(cls, german)
        text.translations = dict(translations or {})
        return text

    def __str__(self):
        return self.translations.get((get_language() or "de").split("-")[0], str.__str__(self))

    def __html__(self):
        from django.utils.html import escape

        return escape(str(self))


def _local_text(raw, key, default=""):
    translations = {
        code: str(raw[f"{key}_{code}"]).strip()
        for code, _name in settings.LANGUAGES
        if code != "de" and raw.get(f"{key}_{code}")
    }
    return LocalText(str(raw.get(key, default)).strip(), translations)


@dataclass(frozen=True)
class Item:
    id: str
    text: LocalText
    help: LocalText
    weight: int


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: LocalText
    disclaimer: LocalText
    items: tuple[Item, ...]
    # (band, min_score) in ascending order of min_score.
    bands: tuple[tuple[str, int], ...]
    high_if_any: frozenset[str]
    categories: tuple[str, ...]

    def score(self, answers):
        return sum(item.weight for item in self.items if answers.get(item.id))

    def band_for(self, answers):
        """The band the answers give: the highest threshold reached, or high if a critical item is yes."""
        if any(answers.get(item_id) for item_id in self.high_if_any):
            return RiskBand.HIGH
        score = self.score(answers)
        band = self.bands[0][0]
        for name, minimum in self.bands:
            if score >= minimum:
                band = name
        return band


def _parse(path):
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ImproperlyConfigured(f"Risikoinstrument {path.name}: kein gültiges YAML ({exc}).") from exc
    if not isinstance(data, dict):
        raise ImproperlyConfigured(
            f"Risikoinstrument {path.name}: erwartet eine Zuordnung auf oberster Ebene."
        )
    for key in ("id", "title", "items", "bands"):
        if key not in data:
            raise ImproperlyConfigured(f"Risikoinstrument {path.name}: Angabe „{key}“ fehlt.")
    items = []
    for number, raw in enumerate(data["items"], start=1):
        try:
            items.append(
                Item(
                    str(raw["id"]),
                    _local_text(raw, "text", raw["text"]),
                    _local_text(raw, "help"),
                    int(raw.get("weight", 1)),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"Risikoinstrument {path.name}: Merkmal {number} ist unvollständig."
            ) from exc
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"Risikoinstrument {path.name}: Merkmal-IDs sind nicht eindeutig.")
    bands = sorted(((str(b["band"]), int(b["min_score"])) for b in data["bands"]), key=lambda pair: pair[1])
    for name, _minimum in bands:
        if name not in RiskBand.values:
            raise ImproperlyConfigured(f"Risikoinstrument {path.name}: unbekannte Stufe „{name}“.")
    high_if_any = frozenset(str(x) for x in data.get("high_if_any", []))
    if not high_if_any <= set(ids):
        raise ImproperlyConfigured(f"Risikoinstrument {path.name}: high_if_any nennt unbekannte Merkmale.")
    return Instrument(
        id=str(data["id"]),
        version=str(data.get("version", "1")),
        title=_local_text(data, "title"),
        disclaimer=_local_text(data, "disclaimer"),
        items=tuple(items),
        bands=tuple(bands),
        high_if_any=high_if_any,
        categories=tuple(data.get("categories", [])),
    )


def instrument_dirs():
    return [BUILTIN_DIR, *(Path(d) for d in getattr(settings, "SCHUTZNETZ_RISK_INSTRUMENT_DIRS", []))]


_cache: dict[tuple, dict] = {}


def load_instruments(directories=None):
    """All instruments by id, read from the YAML files (cached per directory set and file times)."""
    directories = [Path(d) for d in (directories or instrument_dirs())]
    files = sorted(p for d in directories if d.is_dir() for p in d.glob("*.y*ml"))
    key = tuple((str(p), p.stat().st_mtime_ns) for p in files)
    if key not in _cache:
        instruments = {}
        for path in files:
            instrument = _parse(path)
            instruments[instrument.id] = instrument
        _cache.clear()
        _cache[key] = instruments
    return _cache[key]


def get_instrument(instrument_id, directories=None):
    return load_instruments(directories).get(instrument_id)


def higher_or_equal(band, than):
    return BAND_ORDER[band] >= BAND_ORDER[than]
