"""Who may do what in the network module (django-rules, autodiscovered)."""

import rules

from schutznetz.core.permissions import is_koordination, is_org_admin, is_staff_member


@rules.predicate
def own_organisation(user, obj):
    """``obj`` is the user's organisation, or a profile/task belonging to it."""
    if not (user and user.is_authenticated and user.organisation_id and obj is not None):
        return False
    org_id = getattr(obj, "organisation_id", None) or getattr(obj, "owner_id", None)
    if org_id is None and obj.__class__.__name__ == "Organisation":
        org_id = obj.pk
    return org_id == user.organisation_id


# Koordination runs the network and edits everything.
rules.add_perm("network.manage", is_koordination)
# A partner's organisation admin keeps its own profile current.
rules.add_perm("network.edit_partner_profile", is_koordination | (is_org_admin & own_organisation))
# Any member (authenticated staff) sees internal materials, meetings and minutes.
rules.add_perm("network.view_internal", is_staff_member)
# A task's status: Koordination, or the organisation the task is assigned to.
rules.add_perm("network.update_task", is_koordination | (is_staff_member & own_organisation))
