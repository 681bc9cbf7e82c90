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


def schutznetz(request):
    path = request.get_full_path()
    current = get_language()
    is_public = getattr(request, "schutznetz_public", False)
    staff = request.user.is_authenticated and not is_public if hasattr(request, "user") else False
    return {
        "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
        "language_links": [
            {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
            for code, name in settings.LANGUAGES
        ],
        "is_public_page": is_public,
        "public_nav": [] if staff else _nav(request, "PUBLIC"),
        "staff_nav": _nav(request, "STAFF") if staff else [],
    }
