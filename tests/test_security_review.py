"""The security officer's review before go-live (BSI IT-Grundschutz, OWASP ASVS level 2).

Each test is a defect that was found with real requests, or a guarantee that walks every URL so
that a new page cannot slip past it.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from schutznetz.accounts.models import Invitation, Organisation, Role, User
from schutznetz.testing.factories import PASSWORD, login, make_organisation, make_user, post_login
from schutznetz.testing.urls import url_patterns

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_login_limits")]


def signed_in(user):
    return login(Client(raise_request_exception=False), user)


# --- Cache-Control on what signed-in staff are shown -------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/intern/",
        "/en/intern/",
        "/intern/faelle/",
        "/intern/faelle/999999/",  # the 404 page of a staff area
        "/konto/benutzer/",
        "/api/v1/cases/",
        "/api/v1/actions/",
        "/veranstaltungen/",  # public and cacheable for visitors, but not for a signed-in browser
    ],
)
def test_pages_shown_to_signed_in_staff_are_not_kept_in_the_browser_cache(path):
    """Case lists, names and agendas stayed in the cache and back/forward history of a shared
    office computer: staff pages and the API answered without any Cache-Control."""
    user = make_user(roles=[Role.FACHKRAFT, Role.KOORDINATION, Role.ORG_ADMIN])
    response = signed_in(user).get(path)
    assert response.status_code in (200, 403, 404), (path, response.status_code)
    assert "no-store" in response.get("Cache-Control", ""), (path, response.get("Cache-Control"))


def test_static_files_keep_their_caching_for_signed_in_staff():
    response = signed_in(make_user()).get("/static/core/schutznetz.js")
    if response.status_code == 404:
        pytest.skip("static files are not collected in this environment")
    assert "no-store" not in response.get("Cache-Control", "")


def test_anonymous_cacheable_public_page_stays_cacheable():
    """Only signed-in browsers get ``no-store``; the events list may still be cached for visitors."""
    response = Client().get("/veranstaltungen/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- Deactivated users and organisations -------------------------------------------------------


def test_staff_of_a_deactivated_organisation_lose_access_on_the_next_request():
    """An organisation switched off in the admin kept its staff signed in, on pages and in the API,
    and they could still sign in."""
    organisation = make_organisation("Ausgeschiedene Beratungsstelle")
    user = make_user("ausgeschieden", organisation=organisation, roles=[Role.FACHKRAFT])
    client = signed_in(user)
    assert client.get("/intern/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200

    Organisation.objects.filter(pk=organisation.pk).update(is_active=False)

    response = client.get("/intern/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get("/api/v1/cases/").status_code == 403
    # Nor can they sign in again with the right password.
    fresh = Client()
    response = post_login(fresh, "ausgeschieden", PASSWORD)
    assert "_auth_user_id" not in fresh.session
    assert fresh.get("/intern/").status_code == 302


def test_a_deactivated_user_loses_pages_and_api_on_the_next_request():
    user = make_user("deaktiviert", roles=[Role.FACHKRAFT])
    client = signed_in(user)
    assert client.get("/api/v1/actions/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/intern/").status_code == 302
    assert client.get("/api/v1/actions/").status_code == 403


def test_changing_the_password_ends_the_other_sessions():
    make_user("passwortwechsel", roles=[Role.ANBIETER], demo=False)
    other_device = Client()
    assert post_login(other_device, "passwortwechsel", PASSWORD).status_code == 302
    this_device = Client()
    assert post_login(this_device, "passwortwechsel", PASSWORD).status_code == 302
    new_password = "ein-ganz-neues-passwort-2026"
    response = this_device.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert this_device.get("/intern/").status_code == 200
    response = other_device.get("/intern/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# --- Login: lock-out, enumeration, fixation, logout ----------------------------------------------


def _alert(response):
    html = response.content.decode()
    match = re.search(r'id="form-fehler">(.*?)</ul>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def test_lock_out_message_is_formal_german_and_the_same_for_unknown_login_names():
    """allauth's German said "Bitte versuche es später erneut" (du, and no idea how long)."""
    make_user("bekannt", roles=[Role.KOORDINATION], demo=False)
    answers = {}
    for name in ("bekannt", "unbekannt"):
        client = Client()
        for _ in range(5):
            post_login(client, name, "falsch-falsch-falsch")
        response = post_login(client, name, PASSWORD)
        assert "_auth_user_id" not in client.session
        answers[name] = _alert(response)
    assert answers["bekannt"] == answers["unbekannt"]
    assert "Bitte warten Sie bis zu 15 Minuten" in answers["bekannt"]
    assert "versuche es" not in answers["bekannt"]


def test_wrong_password_and_unknown_login_name_get_the_same_answer():
    make_user("vorhanden", roles=[Role.KOORDINATION], demo=False)
    known = post_login(Client(), "vorhanden", "falsch-falsch-falsch")
    unknown = post_login(Client(), "nicht-vorhanden", "falsch-falsch-falsch")
    assert known.status_code == unknown.status_code == 200
    assert _alert(known) == _alert(unknown) != ""


def test_signing_in_gives_a_new_session_key():
    make_user("fixierung", roles=[Role.KOORDINATION], demo=False)
    client = Client()
    session = client.session
    session["vorher"] = 1
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    assert post_login(client, "fixierung", PASSWORD).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before


def test_logout_needs_a_post():
    client = signed_in(make_user(roles=[Role.KOORDINATION]))
    assert client.get(reverse("account_logout")).status_code == 200  # a confirmation page
    assert client.get("/intern/").status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get("/intern/").status_code == 302


def test_password_reset_answers_alike_for_known_and_unknown_addresses(mailoutbox):
    make_user("zuruecksetzen", roles=[Role.KOORDINATION], demo=False, email="bekannt@example.org")
    known = Client().post(reverse("account_reset_password"), {"email": "bekannt@example.org"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "fremd@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_there_is_no_public_sign_up():
    response = Client().post(
        reverse("account_signup"),
        {"username": "selbstgemacht", "password1": "x-Y-z-1234567890", "password2": "x-Y-z-1234567890"},
    )
    assert not User.objects.filter(username="selbstgemacht").exists()
    assert response.status_code in (200, 403)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "https:evil.example",
        "https://evil.example/",
        "/\t/evil.example/",
        "http:/evil.example",
    ],
)
@pytest.mark.parametrize("where", ["query", "body"])
def test_login_never_redirects_to_another_host(target, where):
    make_user("weiterleitung", roles=[Role.KOORDINATION], demo=False)
    url = reverse("account_login")
    data = {"login": "weiterleitung", "password": PASSWORD}
    if where == "query":
        response = Client().post(url + "?" + "next=" + target, data)
    else:
        response = Client().post(url, data | {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:staff_home")


# --- The second factor cannot be skipped anywhere -----------------------------------------------

PLACEHOLDERS = {
    "uuid": "00000000-0000-0000-0000-000000000000",
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
}
# Reachable before the second factor is set up: signing in and out, setting up the factor,
# the invitation link, the session check, machine endpoints. The user list under /konto/benutzer/
# is not.
MFA_EXEMPT = re.compile(r"^/(en/)?konto/(?!benutzer/)|^/exit/$|^/healthz$")


def _every_path():
    for route, _pattern in url_patterns():
        if "drf_format_suffix" in route or r"\." in route:
            continue
        # The API router's regex routes: "api/v1/^cases/(?P<pk>[0-9]+)/$" -> "api/v1/cases/1/".
        route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("^", "").replace("$", "")
        path = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: PLACEHOLDERS[m.group(1) or "str"], route)
        if not re.search(r"[()\\?*+\[]", path):
            yield path


def test_no_page_api_pdf_or_fragment_is_reachable_without_the_required_second_factor():
    """A Fachkraft who has not set up a second factor yet reaches nothing but the set-up."""
    user = make_user("ohne-faktor", roles=[Role.FACHKRAFT, Role.KOORDINATION], demo=False)
    client = signed_in(user)
    setup = reverse("mfa_activate_totp")
    leaks = []
    paths = sorted(set(_every_path()))
    assert "/intern/faelle/1/" in paths and "/api/v1/cases/" in paths
    for path in paths:
        if MFA_EXEMPT.search(path) or path.startswith("/static/"):
            continue
        for headers in ({}, {"HX-Request": "true"}):
            for method in ("get", "post"):
                response = getattr(client, method)(path, headers=headers)
                if response.status_code != 302 or response["Location"] != setup:
                    leaks.append((method, path, response.status_code))
    assert leaks == []


# --- The API ---------------------------------------------------------------------------------


def test_every_api_list_has_an_upper_page_size():
    """DRF's LimitOffsetPagination has no bound: ``?limit=1000000`` returned every row at once."""
    from schutznetz.api.pagination import MAX_LIMIT
    from schutznetz.api.urls import router

    unbounded = []
    for prefix, viewset, _basename in router.registry:
        paginator = viewset.pagination_class
        if paginator is not None and (getattr(paginator, "max_limit", 0) or 10**9) > MAX_LIMIT:
            unbounded.append(prefix)
    assert unbounded == []


def test_a_huge_limit_gives_at_most_the_bound(monkeypatch):
    from django.utils import timezone

    from schutznetz.api.urls import router
    from schutznetz.cases.models import Case, Participation, ParticipationReason

    organisation = make_organisation("Jugendamt Seitenweise")
    user = make_user("seitenweise", organisation=organisation, roles=[Role.FACHKRAFT])
    for number in range(3):
        case = Case.objects.create(
            number=f"FK-2026-{9000 + number}",
            bringing_organisation=organisation,
            lead_organisation=organisation,
            category="haeusliche_gewalt",
            municipality="Soest",
            created_at=timezone.now(),
        )
        Participation.objects.create(case=case, organisation=organisation, reason=ParticipationReason.BROUGHT)
    viewset = dict((prefix, v) for prefix, v, _ in router.registry)["cases"]
    monkeypatch.setattr(viewset.pagination_class, "max_limit", 2)
    data = signed_in(user).get("/api/v1/cases/?limit=1000000").json()
    assert data["count"] == 3
    assert len(data["results"]) == 2 and data["next"]


def test_api_writes_need_the_csrf_token():
    """Session-authenticated API writes are forms from another site's point of view."""
    client = Client(enforce_csrf_checks=True)
    login(client, make_user(roles=[Role.FACHKRAFT]))
    response = client.patch("/api/v1/actions/1/", {"status": "erledigt"}, content_type="application/json")
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/cases/{pk}/", "/api/v1/actions/999999/"])
def test_api_answers_alike_for_objects_outside_scope_and_objects_that_do_not_exist(path):
    from django.utils import timezone

    from schutznetz.cases.models import Case

    foreign = make_organisation("Fremdes Jugendamt API")
    case = Case.objects.create(
        number="FK-2026-9100",
        bringing_organisation=foreign,
        lead_organisation=foreign,
        category="haeusliche_gewalt",
        municipality="Soest",
        created_at=timezone.now(),
    )
    client = signed_in(make_user(roles=[Role.FACHKRAFT]))
    outside = client.get(path.format(pk=case.pk))
    missing = client.get(path.format(pk=999999))
    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content


# --- Writes in the admin are audited -----------------------------------------------------------


def _admin_client():
    """The operator's superuser: Koordination may look at accounts in the admin, not change them
    (Django's model permissions are switched off), so only this account writes there."""
    return signed_in(make_user("betrieb-admin", roles=[], is_superuser=True))


def test_koordination_cannot_change_accounts_in_the_admin():
    organisation = make_organisation("Beratungsstelle Nur Lesen")
    client = signed_in(make_user("koordination-admin", roles=[Role.KOORDINATION]))
    assert client.get(f"/verwaltung/accounts/organisation/{organisation.pk}/change/").status_code == 200
    response = client.post(
        f"/verwaltung/accounts/organisation/{organisation.pk}/change/",
        {"name": organisation.name, "slug": organisation.slug, "kind": organisation.kind},
    )
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert organisation.is_active


def test_switching_an_organisation_off_in_the_admin_is_audited():
    """The admin wrote organisations, users, roles and passwords without any audit entry."""
    from schutznetz.core.models import AuditEntry

    organisation = make_organisation("Beratungsstelle Admin-Protokoll")
    client = _admin_client()
    response = client.post(
        f"/verwaltung/accounts/organisation/{organisation.pk}/change/",
        {
            "name": organisation.name,
            "slug": organisation.slug,
            "kind": organisation.kind,
            "municipality": "Soest",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    organisation.refresh_from_db()
    assert not organisation.is_active
    entry = AuditEntry.objects.filter(action="organisation.update", object_id=str(organisation.pk)).get()
    assert entry.changed_fields == ["is_active"]
    assert entry.actor.username == "betrieb-admin"


def test_roles_and_passwords_set_in_the_admin_are_audited():
    from schutznetz.core.models import AuditEntry

    user = make_user("rolle-im-admin", roles=[Role.ANBIETER])
    client = _admin_client()
    role = user.role_assignments.get()
    response = client.post(
        f"/verwaltung/accounts/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": "",
            "organisation": user.organisation_id,
            "is_active": "on",
            "role_assignments-TOTAL_FORMS": "2",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-id": role.pk,
            "role_assignments-0-user": user.pk,
            "role_assignments-0-role": Role.ANBIETER,
            "role_assignments-1-user": user.pk,
            "role_assignments-1-role": Role.FACHKRAFT,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert set(user.role_assignments.values_list("role", flat=True)) == {Role.ANBIETER, Role.FACHKRAFT}
    assert AuditEntry.objects.filter(action="user.roles", object_id=str(user.pk)).exists()

    new_password = "vom-admin-gesetzt-2026"
    response = client.post(
        f"/verwaltung/accounts/user/{user.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(new_password)
    assert AuditEntry.objects.filter(action="user.password", object_id=str(user.pk)).exists()


def test_deleting_an_invitation_in_the_admin_list_is_audited():
    from schutznetz.accounts import services
    from schutznetz.core.models import AuditEntry

    invitation = services.invite_user(None, make_organisation(), "weg@example.org", [Role.FACHKRAFT])
    client = _admin_client()
    response = client.post(
        "/verwaltung/accounts/invitation/",
        {"action": "delete_selected", "_selected_action": [invitation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    assert AuditEntry.objects.filter(action="invitation.delete", object_id=str(invitation.pk)).exists()


@pytest.mark.parametrize("roles", [[Role.ORG_ADMIN], [Role.KOORDINATION]])
def test_who_can_invite_a_fachkraft_needs_a_second_factor_first(roles):
    """An organisation's admin (or Koordination) signed in with the password alone and invited a
    Fachkraft with an address of their own, who then set up their own factor and read the
    organisation's cases: one guessed password was enough for case content."""
    user = make_user("einladende", roles=roles, demo=False)
    client = Client()
    assert post_login(client, "einladende", PASSWORD).status_code == 302
    setup = reverse("mfa_activate_totp")
    assert client.get(reverse("accounts:users"))["Location"] == setup
    response = client.post(
        reverse("accounts:users"), {"email": "eigene@example.org", "roles": [Role.FACHKRAFT]}
    )
    assert response["Location"] == setup
    assert not Invitation.objects.filter(organisation=user.organisation).exists()


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https:evil.example"])
def test_logout_never_redirects_to_another_host(target):
    client = signed_in(make_user(roles=[Role.ANBIETER]))
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_demo_logins_cannot_sign_in_on_a_production_server(settings):
    """``load_demo`` on a production server left accounts whose password is printed in the README;
    the first person to sign in set up the second factor and kept the account (Koordination and
    Datenschutz needed none at all)."""
    make_user("demo-produktion", roles=[Role.DATENSCHUTZ], demo=True)
    settings.SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA = False
    client = Client()
    response = post_login(client, "demo-produktion", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Anmeldename und/oder das Passwort" in _alert(response)
    # In development (SCHUTZNETZ_DEBUG=1) they sign in as before.
    settings.SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA = True
    assert post_login(Client(), "demo-produktion", PASSWORD).status_code == 302


def test_accepting_an_invitation_refuses_a_password_like_the_user_name_or_address():
    """The invitation form checked passwords without the account, so "mariamueller2026" was
    accepted as the password of the user "mariamueller2026"."""
    from schutznetz.accounts import services

    invitation = services.invite_user(None, make_organisation(), "maria.mueller@example.org", [Role.ANBIETER])
    url = reverse("accounts:accept_invitation", args=[invitation.token])
    for username, password in [
        ("mariamueller2026", "mariamueller2026"),
        ("mm-2026", "maria.mueller@example.org"),
    ]:
        response = Client().post(
            url, {"username": username, "password": password, "password_repeat": password}
        )
        assert response.status_code == 200
        assert "zu ähnlich" in response.content.decode()
    assert not User.objects.filter(username__in=["mariamueller2026", "mm-2026"]).exists()


@pytest.mark.parametrize("path", ["/hilfe/angebot/abc/", "/gibt-es-nicht/", "/en/gibt-es-nicht/"])
def test_error_pages_for_unknown_addresses_are_not_stored(path):
    """A mistyped help-finder address never reaches the finder's own ``no-store``."""
    response = Client().get(path)
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
