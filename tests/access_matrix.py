"""The authorisation matrix: every URL and API operation, every actor, own and foreign objects.

Expectation tables live beside the views, in ``schutznetz/<app>/access_expectations.py``. Format
(plain data; callables receive the ``World`` built here):

    def setup(world):                # optional: create the objects the table refers to
        world.objects["offer"] = ...
        world.objects["foreign_offer"] = ...

    EXPECTATIONS = {
        "directory:staff_offer_edit": {
            "allow": {"koordination", "anbieter"},     # actors reaching the object (see ACTORS);
                                                        # "public": everyone incl. anonymous,
                                                        # "staff": every signed-in actor
            "kwargs": lambda w: {"pk": w.objects["offer"].pk},          # URL kwargs, own object
            "foreign_kwargs": lambda w: {"pk": w.objects["foreign_offer"].pk},  # object of another org
            "foreign_allow": {"koordination"},          # who may reach the foreign one (default: nobody)
            "secret": lambda w: w.objects["foreign_offer"].name,  # must never show to anyone else
            "post_only": True,                          # GET answers 405; only denied actors POST
            "post_data": {"status": "done"},            # what they POST (default: an empty form)
            "status": 410,                              # expected status for allowed actors (optional)
        },
        ...
    }
    API = {"GET /api/v1/offers/{id}/": {... same keys; path parameters in kwargs ...}}

Checks, for each URL/operation and actor:
- allowed actor on own object: status below 400 (or ``status``) and not sent to the login page;
- anybody else: 403 or 404, or the login page for anonymous; never the ``secret`` in the body;
- for ``foreign_kwargs``: everyone outside ``foreign_allow`` is denied the same way;
- actors outside ``allow``/``foreign_allow`` never see the ``secret`` in any response of that URL
  (lists and searches included).

Which URL patterns are not enumerated (documented rules):
- the Django admin (``admin:`` namespace): it has its own gate (``core.use_admin`` plus is_staff),
  checked once by ``test_admin_is_closed_to_non_staff``;
- allauth's own views (callbacks defined in the ``allauth`` package: login, logout, MFA set-up,
  password reset): django-allauth tests them; the login page is checked to be reachable;
- the REST API below ``/api/``: covered operation by operation from the OpenAPI schema instead;
- ``media/`` (served only in development).
"""

import importlib
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

ACTORS = (
    "anonymous",
    "koordination",
    "fachkraft",
    "moderation",
    "anbieter",
    "spurensicherung",
    "datenschutz",
    "other_org",
)
SIGNED_IN = tuple(a for a in ACTORS if a != "anonymous")

# actor → demo username (accounts/demo.py); other_org is created by the matrix
DEMO_USERNAMES = {
    "koordination": "demo-koordination",
    "fachkraft": "demo-fachkraft-jugendamt",
    "moderation": "demo-moderation",
    "anbieter": "demo-anbieter",
    "spurensicherung": "demo-spurensicherung",
    "datenschutz": "demo-datenschutz",
}
ENTRY_KEYS = {
    "allow",
    "kwargs",
    "foreign_kwargs",
    "foreign_allow",
    "secret",
    "post_only",
    "post_data",
    "status",
    "note",
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)

    @property
    def own_org(self):
        """The organisation of the Fachkraft (Kreisjugendamt Soest)."""
        return self.users["fachkraft"].organisation

    @property
    def other_org(self):
        return self.users["other_org"].organisation


def _walk(resolver, prefix="", namespace=None, skip_modules=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue  # Django admin: own gate, see test_admin_is_closed_to_non_staff
            ns = entry.namespace
            full_ns = ":".join(filter(None, [namespace, ns])) if ns else namespace
            yield from _walk(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = entry.name
            qualified = f"{namespace}:{name}" if namespace and name else name
            yield qualified, prefix + str(entry.pattern), entry.lookup_str


def enumerate_urls():
    """(name, route, view) for every pattern in the URLconf, minus the documented exclusions."""
    seen = {}
    for name, route, view in _walk(get_resolver()):
        route = route.replace("^", "").replace("$", "")
        if name and name.startswith("admin:"):
            continue  # Django admin: own gate, see test_admin_is_closed_to_non_staff
        if view.startswith("allauth.") or view.startswith("django.views.static"):
            continue  # allauth's own views; media in development
        if route.startswith("api/"):
            continue  # API: from the OpenAPI schema
        if route.startswith("en/"):
            continue  # same view under the English prefix
        seen.setdefault(name or route, (name or route, route, view))
    return list(seen.values())


def load_tables():
    """(module, EXPECTATIONS, API) for every app that has an access_expectations module."""
    tables = []
    for config in apps.get_app_configs():
        if not config.name.startswith("schutznetz."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.access_expectations")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.access_expectations":
                raise
            continue
        if not hasattr(module, "EXPECTATIONS") and hasattr(module, "VIEWS"):
            from tests import access_adapters

            module = access_adapters.convert_status_table(module)
        tables.append((module, _normalise(module.EXPECTATIONS), _normalise_api(getattr(module, "API", {}))))
    return tables


def api_key(operation):
    """ "GET /api/v1/cases/{id}/" → "GET /api/v1/cases/{}/": parameter names do not matter."""
    return re.sub(r"\{[^}]+\}", "{}", operation)


def _normalise_api(table):
    return {api_key(name): entry for name, entry in _normalise(table).items()}


def _normalise(table):
    """Accept a few spellings (sets or lists; "public"/"staff" shorthands) and check the keys."""
    result = {}
    for name, entry in table.items():
        entry = dict(entry)
        unknown = set(entry) - ENTRY_KEYS
        if unknown:
            raise ValueError(f"access_expectations {name}: unbekannte Schlüssel {sorted(unknown)}")
        result[name] = entry
    return result


def allowed_actors(entry, key="allow"):
    allow = entry.get(key) or ()
    if isinstance(allow, str):
        allow = {allow}
    allow = set(allow)
    if "public" in allow:
        return set(ACTORS)
    if "staff" in allow:
        allow = (allow - {"staff"}) | set(SIGNED_IN)
    unknown = allow - set(ACTORS)
    if unknown:
        raise ValueError(f"unbekannte Akteure {sorted(unknown)}")
    return allow


def resolve(value, world):
    if callable(value):
        return value(world)
    return value


def secrets_hidden_from(world, actor, tables=None):
    """The declared ``secret`` markers this actor may see nowhere (used by the API fuzzing).

    A marker counts only if no entry that declares it lets the actor see it (``foreign_allow``):
    the events API shows the Koordination an unpublished event that public pages hide from it.
    """
    hidden, visible = set(), set()
    for _, urls, api in tables or load_tables():
        for entry in [*urls.values(), *api.values()]:
            text = resolve(entry.get("secret"), world)
            if not text:
                continue
            if actor in allowed_actors(entry, "foreign_allow"):
                visible.add(str(text))
            else:
                hidden.add(str(text))
    return sorted(hidden - visible)


class _Quiet:
    def write(self, *args, **kwargs):
        pass


def build_world():
    """Demo users of every role, a user of an unrelated organisation, and each table's objects."""
    from schutznetz.accounts import demo as accounts_demo
    from schutznetz.accounts.models import OrganisationKind, Role, User
    from schutznetz.testing.factories import make_organisation, make_user

    accounts_demo.load(_Quiet())
    world = World()
    for actor, username in DEMO_USERNAMES.items():
        world.users[actor] = User.objects.get(username=username)
    other = make_organisation("Fremde Beratungsstelle Matrix", kind=OrganisationKind.BERATUNGSSTELLE)
    world.users["other_org"] = make_user("matrix-fremd", organisation=other, roles=[Role.FACHKRAFT])
    for module, _, _ in load_tables():
        if hasattr(module, "setup"):
            module.setup(world)
    return world
