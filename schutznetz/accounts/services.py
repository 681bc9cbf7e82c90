"""Every write to organisations, users and roles."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schutznetz.accounts.models import Invitation, Organisation, Role, User, UserRole
from schutznetz.core.services import changed, record_audit, service

INVITATION_VALIDITY = timedelta(days=7)


@service
def save_organisation(actor, *, name, slug, kind, municipality="", organisation=None):
    data = {"name": name, "slug": slug, "kind": kind, "municipality": municipality}
    if organisation is None:
        organisation = Organisation.objects.create(**data)
        record_audit(actor, "organisation.create", organisation, data.keys())
    else:
        fields = changed(organisation, data)
        if fields:
            organisation.save(update_fields=fields)
            record_audit(actor, "organisation.update", organisation, fields)
    return organisation


@service
def set_roles(actor, user, roles):
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unbekannte Rolle: %(role)s") % {"role": ", ".join(sorted(unknown))}}
        )
    current = set(user.role_assignments.values_list("role", flat=True))
    UserRole.objects.filter(user=user, role__in=current - roles).delete()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in roles - current])
    user._role_cache = None
    if roles != current:
        record_audit(actor, "user.roles", user, ["roles"])
    return user


def _check_may_manage(actor, organisation):
    if actor is not None and not actor.has_perm("accounts.manage_users_of", organisation):
        raise PermissionDenied(_("Sie dürfen die Benutzer dieser Organisation nicht verwalten."))


@service
def invite_user(actor, organisation, email, roles, request=None):
    """Create an invitation and mail its link; the invitee chooses name and password."""
    _check_may_manage(actor, organisation)
    if Role.KOORDINATION in roles and not (actor is None or actor.has_role(Role.KOORDINATION)):
        raise PermissionDenied(_("Nur die Koordination kann die Rolle Koordination vergeben."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unbekannte Rolle: %(role)s") % {"role": ", ".join(sorted(unknown))}}
        )
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        roles=sorted(set(roles)),
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_VALIDITY,
    )
    record_audit(actor, "invitation.create", invitation, ["email", "roles"])
    link = settings.SCHUTZNETZ_SITE_URL + reverse("accounts:accept_invitation", args=[invitation.token])
    body = render_to_string(
        "accounts/email/invitation.txt", {"invitation": invitation, "link": link, "settings": settings}
    )
    send_mail(_("Einladung zu schutznetz"), body, None, [email])
    return invitation


@service
def accept_invitation(invitation, *, username, password, first_name="", last_name=""):
    if not invitation.is_open:
        raise ValidationError(_("Diese Einladung ist abgelaufen oder wurde schon angenommen."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Dieser Benutzername ist schon vergeben.")})
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        organisation=invitation.organisation,
    )
    user.set_password(password)
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in invitation.roles])
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    record_audit(user, "invitation.accept", invitation, ["accepted_at"])
    return user


@service
def deactivate_user(actor, user):
    _check_may_manage(actor, user.organisation)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_audit(actor, "user.deactivate", user, ["is_active"])
    return user


@service
def create_user(actor, *, username, organisation, roles, password=None, email="", is_demo=False, **names):
    """Create a staff account directly (demo data, commands, admin)."""
    user = User(username=username, organisation=organisation, email=email, is_demo=is_demo, **names)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.bulk_create([UserRole(user=user, role=role) for role in set(roles)])
    record_audit(actor, "user.create", user, ["username", "organisation", "roles"])
    return user
