"""Taking back a handover made to the wrong site, before the receiving site confirmed it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from schutznetz.accounts.models import Role
from schutznetz.core.models import AccessLogEntry, AuditEntry
from schutznetz.evidence import queries, services
from schutznetz.evidence.custody import verify_kit
from schutznetz.evidence.models import EventKind, Kit
from schutznetz.testing.factories import login, make_user

from .conftest import register

pytestmark = pytest.mark.django_db

WITHDRAW = "evidence.kit.withdraw_hand_over"


def handed_to_wrong_site(sites):
    """Klinik A handed its kit to Klinik B, though it should go to the institute."""
    kit, _ = register(sites)
    services.hand_over(sites.clinic_user, kit, to_site=sites.clinic_b, seal_number="S-1")
    kit.refresh_from_db()
    return kit


def kinds(kit):
    return list(kit.events.order_by("seq").values_list("kind", flat=True))


def test_the_sending_site_withdraws_an_unconfirmed_handover(sites):
    kit = handed_to_wrong_site(sites)
    assert list(queries.incoming_kits(sites.clinic_b_user)) == [kit]

    event = services.withdraw_hand_over(sites.clinic_user, kit, reason="Falsche Stelle gewählt")

    kit.refresh_from_db()
    assert kit.holder == sites.clinic and kit.pending_to is None
    # Append-only: the handover stays in the chain, the withdrawal is an event of its own.
    assert kinds(kit) == [EventKind.SEALED, EventKind.HANDED_OVER, EventKind.WITHDRAWN]
    assert event.seq == 3 and event.site == sites.clinic and event.to_site == sites.clinic_b
    assert event.reason == "Falsche Stelle gewählt" and event.actor_label == "klinik-a"
    assert kit.custody_head == event.hash
    assert verify_kit(kit) == ([], 3)
    assert AuditEntry.objects.filter(action=WITHDRAW, object_id=str(kit.pk)).count() == 1
    # The wrong receiver no longer expects the kit, nor sees it at all.
    assert list(queries.incoming_kits(sites.clinic_b_user)) == []
    assert not queries.visible_kits(sites.clinic_b_user).filter(pk=kit.pk).exists()
    # The sender holds it again and hands it to the right site.
    services.hand_over(sites.clinic_user, kit, to_site=sites.institute, seal_number="S-1")
    services.confirm_receipt(sites.lab_user, kit, seal_number="S-1")
    kit.refresh_from_db()
    assert kit.holder == sites.institute
    assert kinds(kit)[-2:] == [EventKind.HANDED_OVER, EventKind.RECEIVED]
    assert verify_kit(kit)[0] == []


def test_a_withdrawal_needs_a_reason_and_changes_nothing_without(sites):
    kit = handed_to_wrong_site(sites)
    with pytest.raises(ValidationError) as exc:
        services.withdraw_hand_over(sites.clinic_user, kit, reason="   ")
    assert "reason" in exc.value.message_dict
    kit.refresh_from_db()
    assert kit.pending_to == sites.clinic_b and kinds(kit) == [EventKind.SEALED, EventKind.HANDED_OVER]
    assert not AuditEntry.objects.filter(action=WITHDRAW).exists()


def test_no_withdrawal_after_the_receiver_confirmed_receipt(sites):
    kit = handed_to_wrong_site(sites)
    services.confirm_receipt(sites.clinic_b_user, kit, seal_number="S-1")
    with pytest.raises(ValidationError) as exc:
        services.withdraw_hand_over(sites.clinic_user, kit, reason="Falsche Stelle")
    message = " ".join(exc.value.messages)
    assert "Klinik B (Test) hat den Eingang bereits bestätigt" in message
    assert "zurückzugeben" in message
    kit.refresh_from_db()
    assert kit.holder == sites.clinic_b and kit.pending_to is None
    assert kinds(kit) == [EventKind.SEALED, EventKind.HANDED_OVER, EventKind.RECEIVED]
    # The way back is the normal handover by the site that now holds it.
    services.hand_over(sites.clinic_b_user, kit, to_site=sites.clinic, seal_number="S-1")


def test_only_evidence_staff_of_the_sending_site_withdraw(sites):
    kit = handed_to_wrong_site(sites)
    colleague_without_role = make_user(
        "klinik-a-fachkraft", organisation=sites.clinic, roles=(Role.FACHKRAFT,)
    )
    for actor in (sites.clinic_b_user, sites.lab_user, colleague_without_role, sites.koordination):
        with pytest.raises(PermissionDenied):
            services.withdraw_hand_over(actor, kit, reason="Falsche Stelle")
    kit.refresh_from_db()
    assert kit.pending_to == sites.clinic_b and kinds(kit) == [EventKind.SEALED, EventKind.HANDED_OVER]
    assert not AuditEntry.objects.filter(action=WITHDRAW).exists()


def test_nothing_to_withdraw_without_an_open_handover(sites):
    kit, _ = register(sites)
    with pytest.raises(ValidationError) as exc:
        services.withdraw_hand_over(sites.clinic_user, kit, reason="Falsche Stelle")
    assert "keine Übergabe offen" in " ".join(exc.value.messages)
    kit = handed_to_wrong_site(sites)
    services.withdraw_hand_over(sites.clinic_user, kit, reason="Falsche Stelle")
    # Twice (a second tab, a resent form) does not write a second withdrawal.
    with pytest.raises(ValidationError):
        services.withdraw_hand_over(sites.clinic_user, kit, reason="Falsche Stelle")
    assert kinds(kit).count(EventKind.WITHDRAWN) == 1


def test_withdrawal_through_the_pages_shows_in_the_chain(client, sites):
    kit = handed_to_wrong_site(sites)
    detail = reverse("evidence:kit_detail", args=[kit.pk])
    url = reverse("evidence:kit_withdraw_hand_over", args=[kit.pk])
    login(client, sites.clinic_user)
    body = client.get(detail).content.decode()
    assert url in body and "Übergabe an Klinik B (Test) ist noch nicht bestätigt" in body
    assert client.get(url).status_code == 200
    # Without a reason: the field is named, nothing changes.
    response = client.post(url, {"reason": "", "seal_number": ""})
    assert response.status_code == 200
    assert 'href="#id_reason">Grund der Rücknahme:' in response.content.decode()
    assert Kit.objects.get(pk=kit.pk).pending_to == sites.clinic_b
    before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    response = client.post(url, {"reason": "Falsche Klinik ausgewählt", "seal_number": ""}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == detail
    assert "Übergabe zurückgenommen. Das Set ist weiter in Verwahrung Ihrer Stelle." in body
    assert "Übergabe an Klinik B (Test) zurückgenommen" in body and "Falsche Klinik ausgewählt" in body
    # The kit and its chain were read by the sending site: both are in the access log.
    logged = set(
        AccessLogEntry.objects.filter(id__gt=before, user_label="klinik-a").values_list(
            "object_type", "purpose"
        )
    )
    assert ("evidence.kit", "custody") in logged and ("evidence.custodyevent", "custody_chain") in logged
    # No button any more; the site may hand the kit over again.
    assert url not in body and reverse("evidence:kit_hand_over", args=[kit.pk]) in body
    client.logout()
    login(client, sites.clinic_b_user)
    assert client.get(detail).status_code == 404
    assert kit.code not in client.get(reverse("evidence:kit_list")).content.decode()


def test_the_withdrawal_page_refuses_the_receiver_and_after_receipt(client, sites):
    kit = handed_to_wrong_site(sites)
    url = reverse("evidence:kit_withdraw_hand_over", args=[kit.pk])
    login(client, sites.clinic_b_user)
    body = client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    assert url not in body
    response = client.post(url, {"reason": "Falsch"}, follow=True)
    assert "Nur die übergebende Stelle kann eine Übergabe zurücknehmen." in response.content.decode()
    assert Kit.objects.get(pk=kit.pk).pending_to == sites.clinic_b
    # An institute outside this handover does not even see the kit.
    client.logout()
    login(client, sites.lab_user)
    assert client.post(url, {"reason": "Falsch"}).status_code == 404
    client.logout()
    services.confirm_receipt(sites.clinic_b_user, kit, seal_number="S-1")
    login(client, sites.clinic_user)
    response = client.post(url, {"reason": "Falsch"}, follow=True)
    assert "hat den Eingang bereits bestätigt" in response.content.decode()
    assert kinds(kit)[-1] == EventKind.RECEIVED
