"""Reads of staff accounts, scoped to what the viewer may manage."""

from schutznetz.accounts.models import Invitation, Role, User


def manageable_users(viewer):
    qs = User.objects.select_related("organisation").prefetch_related("role_assignments").order_by("username")
    if viewer.has_role(Role.KOORDINATION):
        return qs
    if viewer.has_role(Role.ORG_ADMIN) and viewer.organisation_id:
        return qs.filter(organisation_id=viewer.organisation_id)
    return qs.none()


def open_invitations(viewer):
    qs = Invitation.objects.filter(accepted_at__isnull=True).select_related("organisation")
    if viewer.has_role(Role.KOORDINATION):
        return qs
    if viewer.has_role(Role.ORG_ADMIN) and viewer.organisation_id:
        return qs.filter(organisation_id=viewer.organisation_id)
    return qs.none()
