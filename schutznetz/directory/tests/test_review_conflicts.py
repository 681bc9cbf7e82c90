"""Approving a proposal made before Koordination edited the offer never silently overwrites the edit.

Behaviour: approval is a three-way merge against the offer as it was when the change was
proposed (``OfferRevision.base``). The provider's changes are applied, Koordination's later
edits to other fields are kept, and a field both changed to different values needs an explicit
choice per field (otherwise nothing is approved). Direct edits by two coordinators at once are
merged the same way against the state each form was shown with.
"""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schutznetz.core.models import AuditEntry
from schutznetz.directory import services
from schutznetz.directory.models import Offer, OfferRevision
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Frauenhaus Teststadt", "description": "", "kinds": ["frauenhaus"], "target_groups": ["frauen"],
    "languages": ["de"], "phone": "02921 123456", "municipality": "soest", "appointment": "moeglich",
    "free_of_charge": "on", "street": "Geheimweg 13", "postal_code": "59494", "family_places": "8",
}  # fmt: skip


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def fresh(offer):
    return Offer.objects.get(pk=offer.pk)


def test_without_later_edits_approval_applies_the_proposal_as_before(client, anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999", "description": "Neu"})
    assert revision.base["phone"] == "02921 123456"  # what the offer looked like then
    login(client, koordination)
    page = client.get(reverse("directory:review_detail", args=[revision.pk]))
    assert "nach dem Vorschlag geändert" not in text_of(page)
    assert "Telefon 02921 123456 02921 999999" in text_of(page)
    services.approve_revision(koordination, revision)
    offer = fresh(shelter)
    assert (offer.phone, offer.description) == ("02921 999999", "Neu")


def test_disjoint_changes_are_merged_and_koordinations_edit_survives(anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    # After the proposal, Koordination corrects another field directly.
    services.update_offer(koordination, fresh(shelter), {"description": "Von der Koordination ergänzt"})
    services.approve_revision(koordination, revision)
    offer = fresh(shelter)
    assert offer.phone == "02921 999999"
    assert offer.description == "Von der Koordination ergänzt"  # was silently reset to "" before
    approval = AuditEntry.objects.filter(action="directory.offer.approve").get()
    assert "phone" in approval.changed_fields and "description" not in approval.changed_fields


def test_same_field_conflict_needs_an_explicit_choice_and_changes_nothing_without_one(
    anbieter, koordination, shelter
):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999", "name": "Haus am See"})
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 555555"})
    with pytest.raises(ValidationError) as refused:
        services.approve_revision(koordination, revision)
    assert refused.value.code == "conflict" and "Telefon" in refused.value.messages[0]
    revision.refresh_from_db()
    offer = fresh(shelter)
    assert revision.status == "pending" and (offer.phone, offer.name) == (
        "02921 555555",
        "Frauenhaus Teststadt",
    )
    # Keep Koordination's value for the contested field; the provider's other change goes through.
    services.approve_revision(koordination, revision, choices={"phone": services.CHOICE_CURRENT})
    offer = fresh(shelter)
    assert (offer.phone, offer.name) == ("02921 555555", "Haus am See")


def test_same_field_conflict_can_be_resolved_for_the_proposal(anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 555555"})
    services.approve_revision(koordination, revision, choices={"phone": services.CHOICE_PROPOSED})
    assert fresh(shelter).phone == "02921 999999"


def test_both_sides_making_the_same_change_is_no_conflict(anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 999999"})
    services.approve_revision(koordination, revision)
    assert fresh(shelter).phone == "02921 999999"


def test_a_second_proposal_keeps_its_base_and_does_not_undo_koordinations_edit(
    anbieter, koordination, shelter
):
    services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    services.update_offer(koordination, fresh(shelter), {"description": "Von der Koordination"})
    # The provider's form starts from its pending proposal (description still empty there).
    revision = services.update_offer(anbieter, fresh(shelter), {"name": "Haus am See"})
    assert revision.data["phone"] == "02921 999999" and revision.base["description"] == ""
    services.approve_revision(koordination, revision)
    offer = fresh(shelter)
    assert (offer.phone, offer.name, offer.description) == (
        "02921 999999",
        "Haus am See",
        "Von der Koordination",
    )


def test_approval_reads_the_offer_under_lock_not_from_a_stale_copy(anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    stale = OfferRevision.objects.select_related("offer").get(pk=revision.pk)  # loaded before the edit
    services.update_offer(koordination, fresh(shelter), {"description": "Später"})
    services.approve_revision(koordination, stale)
    assert fresh(shelter).description == "Später"
    # A second coordinator approving the same (already approved) proposal is refused.
    with pytest.raises(ValidationError, match="schon bearbeitet"):
        services.approve_revision(koordination, stale)


def test_review_page_shows_then_now_and_proposed_and_asks_for_a_choice(
    client, anbieter, koordination, shelter
):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999", "name": "Haus am See"})
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 555555", "description": "Ergänzt"})
    login(client, koordination)
    url = reverse("directory:review_detail", args=[revision.pk])
    page = client.get(url)
    text = text_of(page)
    assert "Das Angebot wurde nach dem Vorschlag geändert." in text
    # field, value when proposed, value now, proposed value, what approval does
    assert "Telefon 02921 123456 02921 555555 02921 999999 beide geändert – bitte wählen" in text
    assert "Beschreibung – Ergänzt – später geändert – bleibt" in text
    assert (
        "Name des Angebots Frauenhaus Teststadt Frauenhaus Teststadt Haus am See Vorschlag wird übernommen"
        in text
    )
    html = page.content.decode()
    assert 'name="wahl_phone"' in html and 'type="radio"' in html
    token = page.context["approve_form"].initial["token"]

    # Approving without a choice: the page says which field needs one, nothing changes.
    refused = client.post(url, {"action": "approve", "token": token})
    assert refused.status_code == 200
    assert "Telefon: Bitte wählen Sie, welcher Wert gelten soll." in text_of(refused)
    assert fresh(shelter).name == "Frauenhaus Teststadt"

    response = client.post(url, {"action": "approve", "token": token, "wahl_phone": "aktuell"})
    assert response.status_code == 302
    offer = fresh(shelter)
    assert (offer.phone, offer.name, offer.description) == ("02921 555555", "Haus am See", "Ergänzt")


def test_approving_from_a_page_that_is_out_of_date_is_refused(client, anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"name": "Haus am See"})
    login(client, koordination)
    url = reverse("directory:review_detail", args=[revision.pk])
    token = client.get(url).context["approve_form"].initial["token"]
    # While the page is open, a colleague changes the offer.
    services.update_offer(koordination, fresh(shelter), {"description": "Kollegin"})
    response = client.post(url, {"action": "approve", "token": token}, follow=True)
    assert "inzwischen geändert" in text_of(response)
    revision.refresh_from_db()
    assert revision.status == "pending" and fresh(shelter).name == "Frauenhaus Teststadt"


def test_english_review_page_shows_the_comparison(client, anbieter, koordination, shelter):
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 555555"})
    login(client, koordination)
    page = client.get("/en" + reverse("directory:review_detail", args=[revision.pk]))
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()
    assert "02921 123456 02921 555555 02921 999999" in text_of(page)


def test_two_coordinators_editing_at_once_do_not_lose_an_edit(client, koordination, shelter):
    login(client, koordination)
    url = reverse("directory:staff_offer_edit", args=[shelter.pk])
    state = client.get(url).context["state"]  # the form as coordinator A opened it
    # Coordinator B saves a change to another field meanwhile.
    services.update_offer(koordination, fresh(shelter), {"description": "Von B"})
    # A saves the whole form (description still empty there) with a new phone number.
    response = client.post(url, {**FORM, "phone": "02921 777777", "stand": state})
    assert response.status_code == 302
    offer = fresh(shelter)
    assert (offer.phone, offer.description) == ("02921 777777", "Von B")


def test_two_coordinators_changing_the_same_field_is_refused_and_shows_the_new_value(
    client, koordination, shelter
):
    login(client, koordination)
    url = reverse("directory:staff_offer_edit", args=[shelter.pk])
    state = client.get(url).context["state"]
    services.update_offer(koordination, fresh(shelter), {"phone": "02921 555555", "description": "Von B"})
    response = client.post(url, {**FORM, "phone": "02921 777777", "stand": state})
    assert response.status_code == 200
    text = text_of(response)
    assert "Während Sie bearbeitet haben, wurde das Angebot geändert: Telefon." in text
    assert "Telefon jetzt: 02921 555555" in text
    assert fresh(shelter).phone == "02921 555555"
    # The form now shows B's description and A's own phone, with a new base: saving again is deliberate.
    form = response.context["form"]
    assert form.initial["description"] == "Von B" and form.initial["phone"] == "02921 777777"
    again = client.post(
        url, {**FORM, "description": "Von B", "phone": "02921 777777", "stand": response.context["state"]}
    )
    assert again.status_code == 302
    offer = fresh(shelter)
    assert (offer.phone, offer.description) == ("02921 777777", "Von B")


def test_a_tampered_edit_state_is_ignored_not_trusted(client, koordination, shelter):
    login(client, koordination)
    url = reverse("directory:staff_offer_edit", args=[shelter.pk])
    response = client.post(url, {**FORM, "phone": "02921 777777", "stand": "kaputt"})
    assert response.status_code == 302 and fresh(shelter).phone == "02921 777777"


@pytest.mark.django_db(transaction=True)
def test_migration_gives_pending_proposals_the_offer_as_it_is_as_their_base():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("directory", "0006_shelter_reports_token")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    provider = old.get_model("directory", "Provider").objects.create(name="Träger")
    offer = old.get_model("directory", "Offer").objects.create(
        provider=provider, name="Alt", kinds="|frauenberatung|", languages="|de|tr|", phone="1"
    )
    old.get_model("directory", "Schedule").objects.create(
        offer=offer, weekday=0, opens_at="09:00", closes_at="12:00"
    )
    revisions = old.get_model("directory", "OfferRevision").objects
    pending = revisions.create(offer=offer, data={"name": "Neu"}, status="pending")
    done = revisions.create(offer=offer, data={"name": "x"}, status="approved")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    pending = OfferRevision.objects.get(pk=pending.pk)
    assert pending.base == services.offer_data(Offer.objects.get(pk=offer.pk))
    assert pending.base["languages"] == ["de", "tr"] and pending.base["schedules"] == [[0, "09:00", "12:00"]]
    assert OfferRevision.objects.get(pk=done.pk).base is None


@pytest.mark.django_db(transaction=True)
def test_an_approval_waits_for_a_concurrent_edit_and_keeps_it(anbieter, koordination, shelter):
    """Two coordinators at once: one edits, the other approves. The approval waits for the
    edit's transaction (row lock) and merges against what it committed."""
    import threading

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writing transactions (BEGIN IMMEDIATE) anyway")
    revision = services.update_offer(anbieter, shelter, {"phone": "02921 999999"})
    locked, release, errors = threading.Event(), threading.Event(), []

    def edit():
        try:
            with transaction.atomic():
                services.update_offer(koordination, fresh(shelter), {"description": "Gleichzeitig"})
                locked.set()
                release.wait(10)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def approve():
        try:
            services.approve_revision(koordination, OfferRevision.objects.get(pk=revision.pk))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    editor.start()
    assert locked.wait(10)
    approver = threading.Thread(target=approve)
    approver.start()
    for _attempt in range(500):  # until the approval waits for the editor's row lock (≤ 5 s)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                break
        approver.join(0.01)
    waited = approver.is_alive()
    release.set()
    editor.join(10)
    approver.join(10)
    assert not errors and waited
    offer = fresh(shelter)
    assert (offer.phone, offer.description) == ("02921 999999", "Gleichzeitig")
