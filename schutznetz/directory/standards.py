"""The minimum standards the gap analysis measures against — one table, documented.

Each ``Standard`` says what is counted, on which basis and per how many people:

=============================== ====================================== ==================================
id                              required                               source
=============================== ====================================== ==================================
shelter_family_places           1 family place per 10,000 inhabitants  Explanatory Report to the Istanbul
                                                                       Convention (CETS 210), para. 135 on Art. 23
sexual_violence_centres         1 centre per 200,000 inhabitants       Explanatory Report, para. 142 on Art. 25
rape_crisis_centres_per_women   1 centre per 200,000 women             Council of Europe minimum standards
                                                                       (Kelly & Dubois 2008)
womens_counselling_centres      1 centre per 50,000 women              Kelly & Dubois 2008
helpline_24_7                   1 free national 24/7 helpline          Istanbul Convention Art. 24
=============================== ====================================== ==================================

A region adds its own standard by appending to ``STANDARDS`` (or by replacing the
list in a local module) — the gap analysis, the JSON/Markdown/PDF report and the
page iterate over this list only.

Required values are rounded half up to two decimals; the deficit is required minus
available (never below zero). Women: where a region file gives no share of women, ``DEFAULT_WOMEN_SHARE`` is used.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

DEFAULT_WOMEN_SHARE = 0.5


@dataclass(frozen=True)
class Standard:
    id: str
    label: str
    source: str
    kinds: tuple  # offers of these kinds count
    basis: str  # "population", "women" or "fixed"
    per: int | None  # one unit per this many people (None for "fixed")
    measure: str = "count"  # "count" (offers) or "family_places" (sum of Offer.family_places)
    fixed_required: int = 1
    only_24_7: bool = False
    regional: bool = False  # counted once for the whole region (helplines), not per municipality

    def required(self, population, women):
        if self.basis == "fixed":
            return float(self.fixed_required)
        base = women if self.basis == "women" else population
        return float(
            (Decimal(str(base)) / Decimal(self.per)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        )


STANDARDS = [
    Standard(
        "shelter_family_places",
        _("Familienplätze in Frauenhäusern (1 je 10.000 Einwohner)"),
        "Explanatory Report to the Istanbul Convention, Art. 23",
        ("frauenhaus",),
        "population",
        10_000,
        measure="family_places",
    ),
    Standard(
        "sexual_violence_centres",
        _("Fachberatung sexualisierte Gewalt (1 je 200.000 Einwohner)"),
        "Explanatory Report to the Istanbul Convention, Art. 25",
        ("fachberatung-sexualisierte-gewalt",),
        "population",
        200_000,
    ),
    Standard(
        "rape_crisis_centres_per_women",
        _("Beratung nach Vergewaltigung (1 je 200.000 Frauen)"),
        "Council of Europe minimum standards (Kelly & Dubois 2008)",
        ("fachberatung-sexualisierte-gewalt",),
        "women",
        200_000,
    ),
    Standard(
        "womens_counselling_centres",
        _("Frauenberatungsstellen (1 je 50.000 Frauen)"),
        "Council of Europe minimum standards (Kelly & Dubois 2008)",
        ("frauenberatung",),
        "women",
        50_000,
    ),
    Standard(
        "helpline_24_7",
        _("Hilfetelefon rund um die Uhr (mindestens 1)"),
        "Istanbul Convention, Art. 24",
        ("hotline",),
        "fixed",
        None,
        only_24_7=True,
        regional=True,
    ),
]
