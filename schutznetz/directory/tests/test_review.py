"""Editing by providers, review by Koordination, verification reminders."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.core.models import AuditEntry
from schutznetz.directory import services
from schutznetz.directory.models import Offer, OfferRevision
from schutznetz.testing.factories import login, make_organisation, make_user

pytestmark = pytest.mark.django_db


def public_name(client, offer):
    html = client.get(reverse("directory:offer_detail", args=[offer.hsds_id])).content.decode()
    return html


def test_anbieter_change_waits_for_review_and_public_keeps_old_version(
    client, anbieter, koordination, shelter
):
    revision = services.update_offer(anbieter, shelter, {"description": "Neue Beschreibung"})
    assert revision is not None and revision.status == "pending"
    shelter.refresh_from_db()
    assert shelter.description == ""
    assert "Neue Beschreibung" not in public_name(client, shelter)
    assert AuditEntry.objects.filter(action="directory.offer.propose", object_id=str(shelter.pk)).exists()
    # a second edit replaces the pending proposal instead of stacking up
    services.update_offer(anbieter, shelter, {"description": "Noch neuer"})
    assert OfferRevision.objects.filter(status="pending").count() == 1
    services.approve_revision(koordination, OfferRevision.objects.get(status="pending"))
    assert "Noch neuer" in public_name(client, shelter)


def test_anbieter_cannot_edit_other_organisations_offer_or_approve(anbieter, make_offer, koordination):
    foreign = make_offer("Fremdes Angebot")
    with pytest.raises(PermissionDenied):
        services.update_offer(anbieter, foreign, {"name": "gekapert"})
    own = Offer.objects.none()
    assert not own.exists()
    revision = OfferRevision.objects.create(offer=foreign, data={"name": "x"}, submitted_by=koordination)
    with pytest.raises(PermissionDenied):
        services.approve_revision(anbieter, revision)


def test_reject_needs_reason_and_keeps_public_version(koordination, anbieter, shelter):
    revision = services.update_offer(anbieter, shelter, {"name": "Umbenannt"})
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.reject_revision(koordination, revision, "  ")
    services.reject_revision(koordination, revision, "Name bitte nicht ändern")
    shelter.refresh_from_db()
    assert shelter.name == "Frauenhaus Teststadt" and revision.status == "rejected"


def test_new_offer_by_anbieter_is_not_public_until_approved(client, anbieter, koordination, shelter):
    offer = services.create_offer(
        anbieter,
        shelter.provider,
        {"name": "Zweites Haus", "kinds": ["frauenhaus"], "municipality": "werl", "phone": "1"},
    )
    assert not offer.is_published
    assert client.get(reverse("directory:offer_detail", args=[offer.hsds_id])).status_code == 404
    services.approve_revision(koordination, offer.revisions.get())
    assert client.get(reverse("directory:offer_detail", args=[offer.hsds_id])).status_code == 200


def test_staff_edit_and_review_views(client, anbieter, koordination, shelter):
    login(client, anbieter)
    url = reverse("directory:staff_offer_edit", args=[shelter.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Frauenhaus Teststadt" in form.content.decode()
    data = {
        "name": "Frauenhaus Teststadt", "description": "Per Formular", "kinds": ["frauenhaus"], "target_groups": ["frauen"],
        "languages": ["de", "tr"], "phone": "02921 123456", "municipality": "soest", "opening_hours": "Mo-Fr 08:00-16:00",
        "appointment": "ohne", "free_of_charge": "on",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    shelter.refresh_from_db()
    assert (
        shelter.description == "" and OfferRevision.objects.filter(offer=shelter, status="pending").exists()
    )
    bad = client.post(url, {**data, "opening_hours": "immer", "phone": ""})
    assert "Öffnungszeiten" in bad.content.decode() and "„immer“ nicht verstanden" in bad.content.decode()
    # the provider cannot reach someone else's offer or the review
    assert client.get(reverse("directory:review_list")).status_code == 403
    client.logout()
    login(client, koordination)
    revision = OfferRevision.objects.get(status="pending")
    page = client.get(reverse("directory:review_detail", args=[revision.pk])).content.decode()
    assert "Per Formular" in page
    client.post(reverse("directory:review_detail", args=[revision.pk]), {"action": "approve"})
    shelter.refresh_from_db()
    assert shelter.description == "Per Formular" and shelter.language_list == ["de", "tr"]
    assert shelter.address_protected and shelter.schedules.count() == 5


def test_foreign_offer_edit_is_404(client, anbieter, make_offer):
    login(client, anbieter)
    foreign = make_offer()
    assert client.get(reverse("directory:staff_offer_edit", args=[foreign.pk])).status_code == 404


def test_verification_reminder_after_six_months(mailoutbox, anbieter, shelter, koordination):
    shelter.verified_at = timezone.localdate() - timedelta(days=100)
    shelter.save()
    assert services.send_verification_reminders() == 0
    shelter.verified_at = timezone.localdate() - timedelta(days=190)
    shelter.save()
    assert services.send_verification_reminders() == 1
    assert mailoutbox[-1].to == ["haus@example.org"] and "Frauenhaus Teststadt" in mailoutbox[-1].subject
    # not again the next day, but again after 30 days
    assert services.send_verification_reminders() == 0
    assert services.send_verification_reminders(now=timezone.now() + timedelta(days=31)) == 1
    services.verify_offer(anbieter, shelter)
    assert services.send_verification_reminders(now=timezone.now() + timedelta(days=62)) == 0


def test_reminder_command_and_task(mailoutbox, shelter, anbieter):
    from django.core.management import call_command

    Offer.objects.filter(pk=shelter.pk).update(verified_at=None)
    call_command("send_verification_reminders")
    assert len(mailoutbox) == 1
    Offer.objects.filter(pk=shelter.pk).update(reminder_sent_at=None)
    call_command("send_verification_reminders", "--enqueue")  # immediate backend in tests
    assert len(mailoutbox) == 2


def test_dashboard_panel_lists_due_offers_for_anbieter(client, anbieter, shelter):
    Offer.objects.filter(pk=shelter.pk).update(verified_at=None)
    login(client, anbieter)
    html = client.get(reverse("core:staff_home")).content.decode()
    assert "1 Angebot bitte prüfen" in html and "Freie Plätze melden: Frauenhaus Teststadt" in html


def test_fachkraft_cannot_edit_offers(client, make_offer):
    user = make_user(organisation=make_organisation(), roles=[Role.FACHKRAFT])
    login(client, user)
    assert client.get(reverse("directory:staff_offers")).status_code == 403


def test_retention_anonymises_old_reports_and_deletes_old_revisions(anbieter, koordination, shelter):
    from schutznetz.directory import retention
    from schutznetz.directory.models import ShelterReport

    report = services.report_shelter_places(anbieter, shelter, free_places=1, children_allowed=True)
    revision = services.update_offer(anbieter, shelter, {"name": "Neu"})
    services.approve_revision(koordination, revision)
    rules = {rule.name: rule for rule in retention.rules()}
    assert (
        not rules["directory.shelter_reporter"].due().exists()
        and not rules["directory.revisions"].due().exists()
    )
    ShelterReport.objects.filter(pk=report.pk).update(reported_at=timezone.now() - timedelta(days=800))
    OfferRevision.objects.filter(pk=revision.pk).update(reviewed_at=timezone.now() - timedelta(days=400))
    assert rules["directory.shelter_reporter"].apply(rules["directory.shelter_reporter"].due()) == 1
    assert rules["directory.revisions"].apply(rules["directory.revisions"].due()) == 1
    report.refresh_from_db()
    assert report.reported_by is None and report.free_places == 1
    assert not OfferRevision.objects.exists()
