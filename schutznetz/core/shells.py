"""Page shells: a public page's template rendered once per worker, with holes for the values
that change from request to request.

Why: Django's template engine walks every node of a page on every request. On the help finder
that walk (frame, form, result list) cost three times as much as searching 50,000 offers, and
the public pages must stay fast under a national directory's load (issue #3). Most of such a
page is the same for every visitor who uses the same language. A shell is the page's own
template rendered with marker strings in place of the per-request values (the "holes"); each
request then only joins the cached pieces with its own values.

Why not a library: the known "hole punching" packages for Django (django-phased and similar)
are unmaintained and work through a second template pass, which is what costs the time.

The rules a template follows to be rendered as a shell:

- a hole is only printed (``{{ hole }}``): never tested, looped over or passed through a filter;
- everything the template branches on is passed in ``structure``, which is part of the cache
  key (so each combination of branches has its own shell);
- public pages only: the frame then is the same for every visitor (no user, no messages).

Rendering the same template with the real values in the context (``reference``) gives the same
bytes; tests compare both (``core/tests/test_shells.py`` and the pages' own tests). A template
that filters or cuts a hole is refused when its shell is built.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from schutznetz.core.context_processors import language_links

# A private-use character: it occurs in no template and no translation, so in a rendered shell
# it can only come from a hole's marker. Visitors' input never reaches the shell itself.
MARK = "\ue000"

# (template, language, structure) -> pieces: even indexes are markup, odd ones hole names.
_shells = {}


@receiver(setting_changed)
def forget_shells(**kwargs):
    """A changed setting (tests) may change any page: build shells anew."""
    _shells.clear()


def _marker(name):
    return SafeString(f"{MARK}{name}{MARK}")


def _language_hole(code):
    return f"language_url_{code}"


def _build(request, template_name, structure, hole_names):
    context = dict(structure)
    context.update((name, _marker(name)) for name in hole_names)
    # The frame's per-request parts: the language links keep path and query of the request.
    links = language_links(request)
    for link in links:
        link["url"] = _marker(_language_hole(link["code"]))
    context.update(language_links=links, user=AnonymousUser(), messages=())
    pieces = render_to_string(template_name, context, request).split(MARK)
    known = set(hole_names) | {_language_hole(link["code"]) for link in links}
    if len(pieces) % 2 == 0 or not known.issuperset(pieces[1::2]):
        raise ImproperlyConfigured(
            f"{template_name}: ein Platzhalter wurde gefiltert oder abgeschnitten; "
            "Platzhalter dürfen nur ausgegeben werden (siehe core/shells.py)."
        )
    return tuple(pieces)


def render_page(request, template_name, structure=None, holes=None):
    """The page as a string; ``holes`` values are escaped unless marked safe, as ``{{ }}`` does."""
    structure = structure or {}
    holes = holes or {}
    key = (template_name, get_language(), tuple(sorted(structure.items())))
    pieces = _shells.get(key)
    if pieces is None:
        pieces = _build(request, template_name, structure, holes)
        if not settings.DEBUG:  # in development a template edit shows on the next request
            _shells[key] = pieces
    values = {_language_hole(link["code"]): link["url"] for link in language_links(request)}
    values.update(holes)
    out = list(pieces)
    for index in range(1, len(out), 2):
        out[index] = conditional_escape(values[out[index]])
    return mark_safe("".join(out))  # noqa: S308 - markup from our template, every value escaped


def render(request, template_name, structure=None, holes=None):
    return HttpResponse(render_page(request, template_name, structure, holes))


def reference(request, template_name, structure=None, holes=None):
    """The same page through the template engine with the real values (for tests)."""
    context = dict(structure or {})
    context.update(holes or {})
    context.update(messages=())
    return render_to_string(template_name, context, request)
