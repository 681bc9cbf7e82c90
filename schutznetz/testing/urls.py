"""Walking the project's URLconf, for tests that must cover every page (a new page cannot slip by)."""

from django.urls import URLResolver, get_resolver


def url_patterns(resolver=None, prefix=""):
    """``(route, pattern)`` for every URL pattern, the route with all its prefixes (regex routes keep
    their ``^`` and ``$``)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            yield route, pattern


def is_public(pattern):
    """Whether the view is marked ``@public_page`` (core/decorators.py)."""
    return getattr(pattern.callback, "schutznetz_public", False)
