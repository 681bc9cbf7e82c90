"""Adapters for expectation tables written in another format than tests/access_matrix.py's.

The cases app keeps exact statuses per role (``VIEWS`` / ``API`` with ``own``/``foreign`` dicts,
see schutznetz/cases/access_expectations.py) and checks them in its own matrix test. Here they are
converted into the project format: roles answering below 400 are "allowed", everybody else —
including the actors that table does not list (spurensicherung, other_org) — must be denied
(403/404), and the foreign case's number must never show to anyone outside ``foreign_allow``.
The objects are built with the cases app's own ``_objects`` builder, fed with the matrix's users.
"""

import importlib
import types

from schutznetz.accounts.models import OrganisationKind, Role


def _allowed(statuses, scoped_list=False):
    """Roles answering below 400 (for anonymous a redirect is the login page, i.e. denied).

    On pages without an object (lists, forms to create) the user of another organisation
    (``other_org``, a Fachkraft) is allowed what the table's Fachkraft is: such pages are scoped.
    """
    allowed = {
        role for role, status in statuses.items() if status < 300 or (status < 400 and role != "anonymous")
    }
    if scoped_list and "fachkraft" in allowed:
        allowed.add("other_org")
    signed_in = {role for role in statuses if role != "anonymous"}
    if scoped_list and signed_in <= allowed:
        allowed |= {"spurensicherung", "other_org"}  # a list every signed-in role gets, scoped
    return allowed


def _has_object(name):
    from django.urls import get_resolver

    route_name = name.split(":", 1)[1]
    patterns = {p.name: p for p in get_resolver("schutznetz.cases.urls").url_patterns}
    return bool(patterns[route_name].pattern.converters)


KWARG_OBJECTS = {
    "case_id": "case",
    "basis_id": "basis",
    "organisation_id": "org",
    "deadline_id": "deadline",
    "referral_id": "referral",
    "conference_id": "conference",
    "item_id": "item",
    "action_id": "action",
    "person_id": "person",
    "share_id": "share",
}


def _cases_kwargs(name, which):
    def build(world):
        from django.urls import get_resolver

        objs = world.objects[f"cases_{which}"]
        route_name = name.split(":", 1)[1]
        patterns = {p.name: p for p in get_resolver("schutznetz.cases.urls").url_patterns}
        kwargs = {}
        for converter in patterns[route_name].pattern.converters:
            if converter == "instrument_id":
                kwargs[converter] = "partnergewalt"
            else:
                kwargs[converter] = objs[KWARG_OBJECTS[converter]].pk
        return kwargs

    return build


def _cases_setup(world):
    from schutznetz.accounts.demo import demo_organisation
    from schutznetz.testing.factories import make_organisation, make_user

    matrix = importlib.import_module("schutznetz.cases.tests.test_authorization_matrix")
    w = types.SimpleNamespace()
    w.polizist = world.users["fachkraft"]
    w.police = w.polizist.organisation
    w.moderation = world.users["moderation"]
    w.jugendamt = demo_organisation("Jugendamt der Stadt Lippstadt")
    w.gericht = demo_organisation("Amtsgericht Soest – Familiengericht")
    # The foreign case belongs to an organisation none of the matrix's actors belongs to.
    w.beratung = make_organisation("Fremde Fallorganisation Matrix", kind=OrganisationKind.BERATUNGSSTELLE)
    w.beraterin = make_user("matrix-fremdfall", organisation=w.beratung, roles=[Role.FACHKRAFT])
    own, foreign = matrix._objects(w)
    world.objects["cases_own"] = own
    world.objects["cases_foreign"] = foreign


def convert_status_table(module):
    converted = types.SimpleNamespace(__name__=module.__name__, EXPECTATIONS={}, API={})
    is_cases = module.__name__ == "schutznetz.cases.access_expectations"

    def secret(world):
        return world.objects["cases_foreign"]["case"].number

    for name, spec in module.VIEWS.items():
        scoped_list = is_cases and not _has_object(name)
        entry = {
            "allow": _allowed(spec["own"], scoped_list),
            "foreign_allow": _allowed(spec["foreign"], scoped_list),
            "post_only": spec.get("method") == "POST",
        }
        if is_cases:
            entry.update(
                kwargs=_cases_kwargs(name, "own"),
                foreign_kwargs=_cases_kwargs(name, "foreign"),
                secret=secret,
            )
        converted.EXPECTATIONS[name] = entry
    for key, spec in module.API.items():
        method, path = key if isinstance(key, tuple) else key.split(" ", 1)
        entry = {
            "allow": _allowed(spec["own"], "{" not in path),
            "foreign_allow": _allowed(spec["foreign"], "{" not in path),
        }
        if is_cases:
            target = "action" if "/actions/" in path else "case"
            if "{" in path:
                entry["kwargs"] = lambda w, t=target: {"_params": [w.objects["cases_own"][t].pk]}
                entry["foreign_kwargs"] = lambda w, t=target: {"_params": [w.objects["cases_foreign"][t].pk]}
            entry["secret"] = secret
        converted.API[f"{method} {path}"] = entry
    if is_cases:
        converted.setup = _cases_setup
    return converted
