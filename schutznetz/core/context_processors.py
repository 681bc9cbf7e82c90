import functools
import logging

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse, translate_url
from django.utils.translation import get_language

from schutznetz.core.hooks import app_modules

logger = logging.getLogger(__name__)

# Reversed navigation URLs per (url name, language, script prefix, urlconf): reversing every
# entry on every page cost more than some pages' own work. A name that does not resolve is
# not cached (it is logged on each request, as before).
_urls = {}


def _reverse(url_name):
    key = (url_name, get_language(), get_script_prefix(), get_urlconf())
    url = _urls.get(key)
    if url is None:
        url = _urls[key] = reverse(url_name)
    return url


def _nav(request, attribute):
    """Navigation entries from each app's ``navigation.py``.

    ``PUBLIC`` is a list of ``(url name, label)``; ``STAFF`` a list of
    ``(url name, label, permission or None)``.
    """
    items = []
    for module in app_modules("navigation"):
        for entry in getattr(module, attribute, ()):
            url_name, label, *rest = entry
            perm = rest[0] if rest else None
            if perm and not request.user.has_perm(perm):
                continue
            try:
                url = _reverse(url_name)
            except NoReverseMatch:
                # One app's broken entry must not take every page down; the test
                # core/tests/test_layout.py fails for it instead.
                logger.error("Navigationseintrag %s lässt sich nicht auflösen", url_name)
                continue
            items.append({"url": url, "label": label})
    return items


@functools.lru_cache(maxsize=4096)
def _translated_path(path, language, current, script_prefix, urlconf):
    """``translate_url`` of a path without query (resolving and reversing the path cost more
    than some pages' own work; the query string is appended unchanged). The key holds the
    active language too: which paths resolve depends on it."""
    return translate_url(path, language)


def language_links(request):
    path, separator, query = request.get_full_path().partition("?")
    current, prefix, urlconf = get_language(), get_script_prefix(), get_urlconf()
    return [
        {
            "code": code,
            "name": name,
            "url": _translated_path(path, code, current, prefix, urlconf) + separator + query,
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


def schutznetz(request):
    is_public = getattr(request, "schutznetz_public", False)
    staff = request.user.is_authenticated and not is_public if hasattr(request, "user") else False
    return {
        "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
        "language_links": language_links(request),
        "is_public_page": is_public,
        # Callables: the template calls them only where the navigation is rendered (the public
        # header comes from the fragment cache on most requests).
        "public_nav": (lambda: []) if staff else functools.partial(_nav, request, "PUBLIC"),
        "staff_nav": functools.partial(_nav, request, "STAFF") if staff else (lambda: []),
    }
