"""Staff join by invitation only; there is no public sign-up."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts import services
from schutznetz.accounts.models import Invitation, Role, User
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login, make_organisation, make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "lange-sichere-passphrase-2026"


def test_signup_is_closed(client):
    before = User.objects.count()
    page = client.get("/konto/signup/")
    assert b'name="password1"' not in page.content
    response = client.post(
        "/konto/signup/", {"username": "eindringling", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code in (200, 403, 404)
    assert User.objects.count() == before
    assert not User.objects.filter(username="eindringling").exists()


@pytest.fixture
def org_admin():
    return make_user(username="orgadmin", roles=[Role.ORG_ADMIN])


def invite_through_page(client, admin, email="neu@example.org", roles=(Role.FACHKRAFT,)):
    login(client, admin)
    return client.post(reverse("accounts:users"), {"email": email, "roles": list(roles)})


def test_invitation_flow_from_mail_to_account(client, org_admin, mailoutbox):
    response = invite_through_page(client, org_admin)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="neu@example.org")
    assert invitation.organisation == org_admin.organisation
    assert invitation.roles == [Role.FACHKRAFT]
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["neu@example.org"]
    link = re.search(r"https?://\S+/konto/einladung/\S+/", mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    page = client.get("/" + path)
    assert page.status_code == 200 and org_admin.organisation.name in page.content.decode()
    response = client.post(
        "/" + path,
        {"username": "neue.fachkraft", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("account_login")
    user = User.objects.get(username="neue.fachkraft")
    assert user.organisation == org_admin.organisation
    assert user.role_set == {Role.FACHKRAFT}
    assert user.email == "neu@example.org"
    assert user.check_password(NEW_PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_user == user and not invitation.is_open
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "invitation.create" in actions and "invitation.accept" in actions
    # Used once: the link is closed now.
    again = client.post(
        "/" + path, {"username": "zweite", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    )
    assert again.status_code == 410
    assert not User.objects.filter(username="zweite").exists()


def test_expired_invitation_is_refused(client, org_admin):
    invitation = services.invite_user(org_admin, org_admin.organisation, "alt@example.org", [Role.FACHKRAFT])
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    url = reverse("accounts:accept_invitation", args=[invitation.token])
    assert client.get(url).status_code == 410
    response = client.post(
        url, {"username": "spaet", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.filter(username="spaet").exists()
    invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.accept_invitation(invitation, username="spaet", password=NEW_PASSWORD)


def test_unknown_token_is_404(client):
    assert client.get(reverse("accounts:accept_invitation", args=["nicht-vorhanden"])).status_code == 404


def test_accept_form_names_bad_fields_and_changes_nothing(client, org_admin):
    invitation = services.invite_user(org_admin, org_admin.organisation, "x@example.org", [Role.FACHKRAFT])
    make_user(username="vergeben")
    url = reverse("accounts:accept_invitation", args=[invitation.token])
    response = client.post(
        url, {"username": "vergeben", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "Dieser Benutzername ist schon vergeben." in response.content.decode()
    response = client.post(url, {"username": "neu", "password": "kurz", "password_repeat": "kurz"})
    assert "Passwort" in response.content.decode()
    response = client.post(url, {"username": "neu2", "password": NEW_PASSWORD, "password_repeat": "anders"})
    assert "Die Passwörter stimmen nicht überein." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.is_open
    assert not User.objects.filter(username__in=["neu", "neu2"]).exists()


def test_org_admin_cannot_invite_for_another_organisation(org_admin):
    other = make_organisation()
    with pytest.raises(PermissionDenied):
        services.invite_user(org_admin, other, "x@example.org", [Role.FACHKRAFT])
    assert not Invitation.objects.exists()


def test_org_admin_cannot_grant_koordination(client, org_admin, mailoutbox):
    with pytest.raises(PermissionDenied):
        services.invite_user(org_admin, org_admin.organisation, "x@example.org", [Role.KOORDINATION])
    response = invite_through_page(client, org_admin, roles=[Role.KOORDINATION])
    assert response.status_code == 200
    assert "Nur die Koordination kann die Rolle Koordination vergeben." in response.content.decode()
    assert not Invitation.objects.exists() and not mailoutbox


def test_koordination_may_grant_koordination():
    koord = make_user(roles=[Role.KOORDINATION])
    invitation = services.invite_user(koord, koord.organisation, "k@example.org", [Role.KOORDINATION])
    assert invitation.roles == [Role.KOORDINATION]


def test_fachkraft_cannot_invite(client):
    user = make_user(roles=[Role.FACHKRAFT])
    login(client, user)
    assert client.get(reverse("accounts:users")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.invite_user(user, user.organisation, "x@example.org", [Role.FACHKRAFT])


def test_org_admin_sees_and_deactivates_only_own_users(client, org_admin):
    colleague = make_user(username="kollegin", organisation=org_admin.organisation)
    stranger = make_user(username="fremd")
    login(client, org_admin)
    page = client.get(reverse("accounts:users")).content.decode()
    assert "kollegin" in page and "fremd" not in page
    assert client.post(reverse("accounts:deactivate", args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active
    assert client.post(reverse("accounts:deactivate", args=[colleague.pk])).status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert AuditEntry.objects.filter(action="user.deactivate", object_id=str(colleague.pk)).exists()


def test_set_roles_refuses_unknown_role_and_records_change():
    user = make_user(roles=[Role.FACHKRAFT])
    with pytest.raises(ValidationError):
        services.set_roles(None, user, ["hausmeister"])
    services.set_roles(None, user, [Role.FACHKRAFT, Role.MODERATION])
    user.refresh_from_db()
    assert user.role_set == {Role.FACHKRAFT, Role.MODERATION}
    assert AuditEntry.objects.filter(action="user.roles", changed_fields=["roles"]).count() == 1
