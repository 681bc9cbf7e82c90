"""Pieces for pages that build many similar rows in Python rather than in a template loop.

Lists that render dozens of rows on every request (the case list, the start page's deadlines)
spend more time in the template engine's per-cell nodes, ``{% url %}`` and ``|date`` than in
their queries. These helpers do the repeated parts once per page; every value is still escaped
by the caller with ``html.escape``.
"""

from django.urls import reverse
from django.utils import formats

_MARKER = 987654321


def url_with_id(name):
    """``id → URL`` for a URL pattern with one integer argument: one ``reverse()`` per page."""
    pattern = reverse(name, args=[_MARKER]).replace(str(_MARKER), "{}")
    return pattern.format


def short_dates():
    """``date → localised short date``, each day worked out once (a page's rows share few days)."""
    seen = {}

    def short_date(day):
        if day not in seen:
            seen[day] = formats.date_format(day, "SHORT_DATE_FORMAT")
        return seen[day]

    return short_date
