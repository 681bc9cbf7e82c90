"""Taking a single shared section back from an organisation."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schutznetz.cases import queries, services
from schutznetz.cases.models import REVOKE_REASON_MAX_LENGTH, Section, SectionShare, ShareRevocation
from schutznetz.core.models import AuditEntry
from schutznetz.testing.factories import login

NOTE = "Geheime Notiz zum Schutzplan XQ7"
REASON = "Einwilligung umfasst die Notizen nicht"


@pytest.fixture
def shared(world, shared_with_beratung):
    """The police case, persons and notes shared with the Frauenberatung, which has read it once."""
    case = shared_with_beratung
    services.share_case(world.polizist, case, world.beratung, [Section.NOTES])
    services.add_note(world.polizist, case, text=NOTE)
    body = login(Client(), world.beraterin).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert NOTE in body and "Anna" in body
    return case


def _share(case, organisation, section):
    return SectionShare.objects.get(case=case, organisation=organisation, section=section)


def test_revoked_section_disappears_from_the_detail_page_and_api(world, shared):
    services.revoke_share(world.polizist, shared, world.beratung, Section.NOTES, REASON)
    client = login(Client(), world.beraterin)
    body = client.get(reverse("cases:detail", args=[shared.pk])).content.decode()
    assert NOTE not in body and 'id="notizen"' not in body
    assert "Anna" in body  # the persons section stays shared
    data = client.get(f"/api/v1/cases/{shared.pk}/").json()
    assert data["sections"] == [Section.PERSONS]
    assert not queries.notes_of(world.beraterin, queries.access_case(world.beraterin, shared.pk)).exists()
    # the police still sees everything
    assert (
        NOTE
        in login(Client(), world.polizist).get(reverse("cases:detail", args=[shared.pk])).content.decode()
    )


def test_revoked_actions_section_leaves_the_actions_api(world, shared):
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.propose_for_conference(world.polizist, shared)
    [item] = services.build_agenda(world.moderation, conference)
    action = services.add_action(
        world.moderation, item, description="Gefährderansprache", organisation=world.police
    )
    services.share_case(world.polizist, shared, world.beratung, [Section.ACTIONS])
    client = login(Client(), world.beraterin)
    assert [a["id"] for a in client.get("/api/v1/actions/").json()["results"]] == [action.pk]
    services.revoke_share(world.polizist, shared, world.beratung, Section.ACTIONS, REASON)
    assert client.get("/api/v1/actions/").json()["results"] == []
    assert client.get(f"/api/v1/actions/{action.pk}/").status_code == 404
    assert Section.ACTIONS not in client.get(f"/api/v1/cases/{shared.pk}/").json()["sections"]


def test_revocation_is_audited_with_field_names_and_kept_in_the_access_report(world, shared):
    revocation = services.revoke_share(world.polizist, shared, world.beratung, Section.NOTES, REASON)
    assert not SectionShare.objects.filter(
        case=shared, organisation=world.beratung, section=Section.NOTES
    ).exists()
    assert (revocation.organisation, revocation.section, revocation.reason) == (
        world.beratung,
        "notes",
        REASON,
    )
    assert revocation.revoked_by == world.polizist and revocation.shared_at is not None
    [entry] = AuditEntry.objects.filter(action="case.share.revoke")
    assert entry.changed_fields == ["notes"] and entry.object_id == str(shared.pk)
    assert REASON not in str(entry.changed_fields)
    organisations = {row["organisation"] for row in queries.access_report(shared)}
    assert world.beratung.name in organisations
    # and through the Art. 15 export itself
    response = login(Client(), world.polizist).get(reverse("cases:access_report_json", args=[shared.pk]))
    assert world.beratung.name in response.content.decode()


def test_only_who_may_share_may_revoke(world, shared):
    for actor in (world.beraterin, world.moderation, world.jugendamt_fk):
        with pytest.raises(PermissionDenied):
            services.revoke_share(actor, shared, world.beratung, Section.NOTES, REASON)
    assert _share(shared, world.beratung, Section.NOTES)
    assert not AuditEntry.objects.filter(action="case.share.revoke").exists()


def test_a_reason_is_required_and_nothing_changes_without(world, shared):
    for reason in ("", "  ", "x" * (REVOKE_REASON_MAX_LENGTH + 1)):
        with pytest.raises(ValidationError) as exc:
            services.revoke_share(world.polizist, shared, world.beratung, Section.NOTES, reason)
        assert "reason" in exc.value.message_dict and "Grund" in exc.value.message_dict["reason"][0]
    assert _share(shared, world.beratung, Section.NOTES)
    assert not ShareRevocation.objects.exists()


def test_nothing_is_taken_back_from_the_bringing_or_lead_organisation(world, shared):
    with pytest.raises(ValidationError) as exc:
        services.revoke_share(world.polizist, shared, world.police, Section.PERSONS, REASON)
    assert "organisation" in exc.value.message_dict
    # after handing the lead to the Frauenberatung, its earlier shares cannot be taken back either
    services.transfer_lead(world.polizist, shared, world.beratung)
    with pytest.raises(ValidationError) as exc:
        services.revoke_share(world.polizist, shared, world.beratung, Section.NOTES, REASON)
    assert "organisation" in exc.value.message_dict
    assert _share(shared, world.beratung, Section.NOTES)


def test_a_section_that_is_not_shared_or_needed_for_an_open_action(world, shared):
    with pytest.raises(ValidationError) as exc:
        services.revoke_share(world.polizist, shared, world.beratung, Section.RISK, REASON)
    assert "section" in exc.value.message_dict
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.propose_for_conference(world.polizist, shared)
    [item] = services.build_agenda(world.moderation, conference)
    services.add_action(world.moderation, item, description="Beratung anbieten", organisation=world.beratung)
    with pytest.raises(ValidationError, match="offene Maßnahme"):
        services.revoke_share(world.polizist, shared, world.beratung, Section.ACTIONS, REASON)
    assert _share(shared, world.beratung, Section.ACTIONS)


def test_the_section_can_be_shared_again(world, shared):
    services.revoke_share(world.polizist, shared, world.beratung, Section.NOTES, REASON)
    services.share_case(world.polizist, shared, world.beratung, [Section.NOTES])
    assert _share(shared, world.beratung, Section.NOTES)


# --- views ---------------------------------------------------------------------------------------------


def test_case_detail_offers_the_revoke_form_next_to_each_share(world, shared):
    body = login(Client(), world.polizist).get(reverse("cases:detail", args=[shared.pk])).content.decode()
    for section in (Section.PERSONS, Section.NOTES):
        share = _share(shared, world.beratung, section)
        url = reverse("cases:share_revoke", args=[shared.pk, share.pk])
        assert f'action="{url}"' in body
        assert f'for="revoke-reason-{share.pk}"' in body and f'id="revoke-reason-{share.pk}"' in body
        assert f'id="revoke-reason-{share.pk}" maxlength="{REVOKE_REASON_MAX_LENGTH}"' in body
    assert "Freigabe zurücknehmen" in body
    # the receiving organisation does not manage the case and gets no such form
    body = login(Client(), world.beraterin).get(reverse("cases:detail", args=[shared.pk])).content.decode()
    assert "Freigabe zurücknehmen" not in body


def test_revoke_view(world, shared):
    share = _share(shared, world.beratung, Section.NOTES)
    url = reverse("cases:share_revoke", args=[shared.pk, share.pk])
    assert login(Client(), world.beraterin).post(url, {"reason": REASON}).status_code == 403
    client = login(Client(), world.polizist)
    response = client.get(url)
    assert response.status_code == 200 and 'for="id_reason"' in response.content.decode()
    response = client.post(url, {"reason": "x" * (REVOKE_REASON_MAX_LENGTH + 1)})
    assert response.status_code == 400 and "höchstens 300 Zeichen" in response.content.decode()
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Grund" in body and "kern-error" in body
    assert _share(shared, world.beratung, Section.NOTES)
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert not SectionShare.objects.filter(pk=share.pk).exists()
    body = client.get(reverse("cases:detail", args=[shared.pk])).content.decode()
    assert "Zurückgenommene Freigaben" in body and REASON in body
    # the share is gone: the same URL answers 404
    assert client.post(url, {"reason": REASON}).status_code == 404
