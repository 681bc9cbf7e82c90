"""Every case URL and API operation × every role × own/foreign object, from access_expectations."""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.cases import access_expectations, services, urls
from schutznetz.cases.models import Case, DeadlineKind, LegalBasisKind, PersonRole, Section
from schutznetz.testing.factories import login, make_organisation, make_user


def _objects(world):
    """The "own" objects (police case on the Jugendamt-chaired conference) and the "foreign" ones."""
    w = world
    today = timezone.localdate()
    own_case, _ = services.create_case(w.polizist, category="haeusliche_gewalt", persons=[
        {"role": PersonRole.AT_RISK, "first_name": "Erika", "last_name": "Eigenfall"}])  # fmt: skip
    own_basis = services.record_legal_basis(w.polizist, own_case, w.gericht, LegalBasisKind.CONSENT,
                                            consent_date=today, consent_scope="Plan", consent_given_by="Erika")  # fmt: skip
    services.share_case(w.polizist, own_case, w.gericht, [Section.PERSONS])
    own_share = own_case.shares.get(organisation=w.gericht)
    own_deadline = services.add_deadline(w.polizist, own_case, kind=DeadlineKind.RETURN_BAN, ordered_on=today)
    own_referral = services.propose_for_conference(w.polizist, own_case)
    own_conf = services.create_conference(w.moderation, date=today, invited_organisations=[w.police])
    [own_item] = services.build_agenda(w.moderation, own_conf)
    own_action = services.add_action(w.moderation, own_item, description="Ansprache", organisation=w.police)
    services.acknowledge_confidentiality(w.moderation, own_conf)
    services.acknowledge_confidentiality(w.polizist, own_conf)

    # another organisation with its own case, conference and moderation: nothing shared with the others
    # Moderation and Fachkraft of the Frauenberatung: it sees its own case and so may put it on its agenda.
    other_mod = make_user("andere-moderation", w.beratung, roles=(Role.MODERATION, Role.FACHKRAFT))
    foreign_case, _ = services.create_case(w.beraterin, category="stalking", persons=[
        {"role": PersonRole.AT_RISK, "first_name": "Fanny", "last_name": "Fremdfall"}])  # fmt: skip
    foreign_basis = services.record_legal_basis(w.beraterin, foreign_case, w.jugendamt, LegalBasisKind.KKG_4)
    foreign_deadline = services.add_deadline(
        w.beraterin, foreign_case, kind=DeadlineKind.RETURN_BAN, ordered_on=today
    )
    foreign_referral = services.create_referral(w.beraterin, foreign_case, w.jugendamt, [Section.PERSONS])
    Case.objects.filter(pk=foreign_case.pk).update(proposed_at=None)
    foreign_conf = services.create_conference(other_mod, date=today, invited_organisations=[w.beratung])
    foreign_item = services.add_to_agenda(other_mod, foreign_conf, foreign_case)
    services.acknowledge_confidentiality(other_mod, foreign_conf)
    services.record_legal_basis(w.beraterin, foreign_case, w.gericht, LegalBasisKind.KKG_4)
    foreign_action = services.add_action(other_mod, foreign_item, description="Fremd", organisation=w.gericht)
    foreign_share = foreign_case.shares.get(organisation=w.jugendamt)
    # The Jugendamt (moderation's organisation) got a referral of the foreign case; its Moderation
    # still must not see it: that is a Fachkraft's business.
    own_person = own_case.persons.get()
    foreign_person = foreign_case.persons.get()
    own = dict(case=own_case, person=own_person, basis=own_basis, deadline=own_deadline, referral=own_referral,
               conference=own_conf, item=own_item, action=own_action, org=w.police, share=own_share)  # fmt: skip
    foreign = dict(case=foreign_case, person=foreign_person, basis=foreign_basis, deadline=foreign_deadline,
                   referral=foreign_referral, conference=foreign_conf, item=foreign_item, action=foreign_action, org=w.beratung, share=foreign_share)  # fmt: skip
    return own, foreign


def _kwargs(pattern, objs):
    names = set(pattern.pattern.converters)
    mapping = {
        "case_id": lambda: objs["case"].pk,
        "person_id": lambda: objs["person"].pk,
        "basis_id": lambda: objs["basis"].pk,
        "organisation_id": lambda: objs["org"].pk,
        "instrument_id": lambda: "partnergewalt",
        "deadline_id": lambda: objs["deadline"].pk,
        "referral_id": lambda: objs["referral"].pk,
        "conference_id": lambda: objs["conference"].pk,
        "item_id": lambda: objs["item"].pk,
        "action_id": lambda: objs["action"].pk,
        "share_id": lambda: objs["share"].pk,
    }
    return {name: mapping[name]() for name in names}


def test_every_url_has_expectations():
    names = {f"cases:{p.name}" for p in urls.urlpatterns}
    assert names == set(access_expectations.VIEWS)


@pytest.mark.django_db
def test_authorization_matrix(world):
    own, foreign = _objects(world)
    users = {
        "fachkraft": world.polizist,
        "moderation": world.moderation,
        "koordination": world.koordination,
        "datenschutz": world.datenschutz,
        "anbieter": world.anbieter,
        "anonymous": None,
    }
    clients = {}
    for role, user in users.items():
        clients[role] = login(Client(), user) if user else Client()
    patterns = {f"cases:{p.name}": p for p in urls.urlpatterns}
    failures = []
    for name, spec in access_expectations.VIEWS.items():
        for which, objs in (("own", own), ("foreign", foreign)):
            url = reverse(name, kwargs=_kwargs(patterns[name], objs))
            for role in access_expectations.ROLES:
                client = clients[role]
                response = client.post(url) if spec["method"] == "POST" else client.get(url)
                expected = spec[which][role]
                if response.status_code != expected:
                    failures.append(f"{name} {which} {role}: {response.status_code} (erwartet {expected})")
                if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                    body = response.content.decode()
                    # a foreign case's identity or number never shows on another organisation's page
                    if role != "datenschutz" and ("Fremdfall" in body or foreign["case"].number in body):
                        failures.append(f"{name} {which} {role}: zeigt fremden Fall")
                    if role == "moderation" and "Eigenfall" in body:
                        failures.append(f"{name} {which} {role}: Moderation sieht Identität")
    for (method, template), spec in access_expectations.API.items():
        for which, objs in (("own", own), ("foreign", foreign)):
            url = template.format(case=objs["case"].pk, action=objs["action"].pk)
            for role in access_expectations.ROLES:
                client = clients[role]
                if method == "PATCH":
                    response = client.patch(
                        url, json.dumps({"status": "in_progress"}), content_type="application/json"
                    )
                else:
                    response = client.get(url)
                expected = spec[which][role]
                if response.status_code != expected:
                    failures.append(
                        f"API {method} {url} {which} {role}: {response.status_code} (erwartet {expected})"
                    )
                if response.status_code == 200:
                    body = response.content.decode()
                    if foreign["case"].number in body or "Fremd" in body:
                        failures.append(f"API {method} {url} {which} {role}: zeigt fremden Fall")
    assert failures == [], "\n".join(failures)


@pytest.mark.django_db
def test_chair_of_other_organisation_and_invited_partner_see_no_content(world):
    """A Fachkraft of an organisation invited to the conference, but not to the case, sees no content."""
    own, _foreign = _objects(world)
    make_organisation("Dritte", kind=OrganisationKind.SONSTIGE)
    client = login(Client(), world.beraterin)
    assert client.get(reverse("cases:detail", args=[own["case"].pk])).status_code == 404
    response = client.get(reverse("cases:list"))
    assert own["case"].number not in response.content.decode()
    assert "Erika" not in response.content.decode()


@pytest.mark.django_db
def test_api_lists_only_own_cases(world):
    own, foreign = _objects(world)
    data = login(Client(), world.polizist).get("/api/v1/cases/").json()
    numbers = [row["number"] for row in data["results"]]
    assert numbers == [own["case"].number]
    assert data["results"][0]["sections"] == sorted(Section.values)
    assert "Erika" not in json.dumps(data)
    data = login(Client(), world.koordination).get("/api/v1/cases/").json()
    assert data["results"] == []
    actions = login(Client(), world.polizist).get("/api/v1/actions/").json()
    assert [a["id"] for a in actions["results"]] == [own["action"].pk]
    response = login(Client(), world.polizist).patch(
        f"/api/v1/actions/{own['action'].pk}/",
        json.dumps({"status": "unsinn"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()
    assert datetime  # imported for readers extending the fixtures
