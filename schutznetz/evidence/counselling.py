"""Local counselling offers for the status page, from the directory when it can give them.

The directory module is imported lazily and every failure is contained: the
status page must answer even when the directory is empty, migrating or broken.
Without offers the page shows the national hotlines instead.
"""

import logging

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

# Directory taxonomy codes of counselling that fits after sexual or physical violence.
COUNSELLING_KINDS = (
    "fachberatung-sexualisierte-gewalt",
    "frauenberatung",
    "interventionsstelle-proaktive-beratung",
)


def _detail_url(offer):
    for name in ("directory:offer_detail", "directory:offer"):
        try:
            return reverse(name, kwargs={"hsds_id": offer.hsds_id})
        except (NoReverseMatch, AttributeError):
            continue
    return ""


def local_offers(limit=5):
    """Up to ``limit`` published counselling offers as plain dicts (name, phone, website, url)."""
    try:
        from schutznetz.directory import queries as directory_queries

        finder = getattr(directory_queries, "counselling_offers", None)
        if finder is not None:
            offers = list(finder()[:limit])
        else:
            kinds = Q()
            for code in COUNSELLING_KINDS:
                kinds |= Q(kinds__contains=f"|{code}|")
            offers = list(
                directory_queries.public_offers().filter(kinds).order_by("-anonymous", "name")[:limit]
            )
        return [
            {
                "name": offer.name,
                "phone": getattr(offer, "phone", ""),
                "website": getattr(offer, "website", ""),
                "url": _detail_url(offer),
            }
            for offer in offers
        ]
    except Exception:  # noqa: BLE001 - the status page must work without the directory
        logger.warning("Beratungsangebote aus dem Verzeichnis nicht verfügbar.", exc_info=True)
        return []
