"""Who may see and do what: the django-rules predicates every app builds on.

Role predicates live here; each app adds its object rules in its own
``rules.py`` (autodiscovered), built from these predicates, so that every
decision is made through the one rules registry and ``user.has_perm``.
"""

import rules

from schutznetz.accounts.models import Role


def _role(role):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user):
        return bool(user and user.is_authenticated and user.is_active and user.has_role(role))

    return predicate


is_koordination = _role(Role.KOORDINATION)
is_fachkraft = _role(Role.FACHKRAFT)
is_moderation = _role(Role.MODERATION)
is_anbieter = _role(Role.ANBIETER)
is_spurensicherung = _role(Role.SPURENSICHERUNG)
is_datenschutz = _role(Role.DATENSCHUTZ)
is_org_admin = _role(Role.ORG_ADMIN)

is_staff_member = rules.is_authenticated & rules.is_active


@rules.predicate
def has_organisation(user):
    return bool(user and user.is_authenticated and user.organisation_id)


@rules.predicate
def same_organisation(user, obj):
    """Object belongs to the user's organisation (obj has ``organisation_id`` or is one)."""
    if not (user and user.is_authenticated and user.organisation_id and obj is not None):
        return False
    org_id = getattr(obj, "organisation_id", None)
    if org_id is None and obj.__class__.__name__ == "Organisation":
        org_id = obj.pk
    return org_id == user.organisation_id


rules.add_perm("accounts.manage_own_users", is_org_admin & has_organisation)
rules.add_perm("accounts.manage_users_of", (is_org_admin & same_organisation) | is_koordination)
rules.add_perm("core.view_audit", is_datenschutz | is_koordination)
rules.add_perm("core.view_access_log", is_datenschutz)
rules.add_perm("core.use_admin", is_koordination)
