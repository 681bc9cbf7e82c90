"""Defects found walking the module as its users do (review of issue #7)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from schutznetz.network import queries, services
from schutznetz.network.models import Meeting, WorkingGroup
from schutznetz.network.tests.conftest import SIGNED
from schutznetz.testing.factories import login, make_organisation

pytestmark = pytest.mark.django_db

TOO_BIG = "9" * 25  # no database integer holds this


def _at(days, hour=14):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


# --- Impossible ids answer 404 or a form error, never a server error -------------------------


def test_public_photo_urls_with_impossible_ids_answer_404(client):
    client.raise_request_exception = False
    assert client.get(f"/aktuelles/foto/{TOO_BIG}/320.jpg").status_code == 404
    assert client.get(f"/aktuelles/foto/1/{TOO_BIG}.jpg").status_code == 404


def test_meeting_form_refuses_an_impossible_organisation_id_with_a_field_error(
    koordination, partners, client
):
    client.raise_request_exception = False
    login(client, koordination)
    response = client.post(
        reverse("network:meeting_new"),
        {
            "title": "Plenum",
            "starts_at": "2099-03-01T14:00",
            "ends_at": "2099-03-01T16:00",
            "location": "Kreishaus",
            "invited_organisations": [str(partners[0].pk), TOO_BIG],
        },
    )
    assert response.status_code == 200
    assert "invited_organisations" in response.context["form"].errors
    assert not Meeting.objects.exists()


def test_working_group_form_refuses_an_impossible_organisation_id(koordination, client):
    client.raise_request_exception = False
    login(client, koordination)
    response = client.post(
        reverse("network:working_group_new"),
        {"name": "AK Test", "organisations": [TOO_BIG], "is_active": "on"},
    )
    assert response.status_code == 200
    assert "organisations" in response.context["form"].errors
    assert not WorkingGroup.objects.exists()


# --- A task's status form only for those who may change it ----------------------------------


def test_task_status_form_is_offered_only_for_tasks_the_user_may_change(
    partners, koordination, fachkraft, client
):
    earlier = services.save_meeting(
        koordination, title="Plenum alt", starts_at=_at(-20), ends_at=_at(-20, 16), location="Kreishaus"
    )
    own = services.add_task(koordination, earlier, title="Eigene Aufgabe", owner=partners[0])  # Jugendamt
    foreign = services.add_task(koordination, earlier, title="Fremde Aufgabe", owner=partners[1])  # Polizei
    later = services.save_meeting(
        koordination, title="Plenum neu", starts_at=_at(10), ends_at=_at(10, 16), location="Kreishaus"
    )
    login(client, fachkraft)
    for url in (
        reverse("network:meeting_detail", args=[later.pk]),
        reverse("network:minutes", args=[earlier.pk]),
    ):
        page = client.get(url).content.decode()
        assert reverse("network:task_status", args=[own.pk]) in page, url
        assert reverse("network:task_status", args=[foreign.pk]) not in page, url
        assert "Fremde Aufgabe" in page  # still listed, with its status as text
    login(client, koordination)
    page = client.get(reverse("network:meeting_detail", args=[later.pk])).content.decode()
    assert reverse("network:task_status", args=[foreign.pk]) in page


# --- A withdrawal announced for a later date ------------------------------------------------


def test_partner_with_withdrawal_to_a_later_date_stays_a_signatory_until_then(
    partners, version1, koordination
):
    polizei = partners[1]
    later = timezone.localdate() + datetime.timedelta(days=40)
    services.record_withdrawal(koordination, polizei.accessions.get(), withdrawn_on=later, reason="Kündigung")
    assert polizei in queries.active_partners()
    assert polizei in [row["organisation"] for row in queries.signatories(version1)]
    status = queries.confirmation_status(version1)
    assert polizei not in status["pending"]
    # A new version in the meantime can still be confirmed by that partner.
    v2 = services.publish_version(
        koordination, services.create_version(koordination, title="F2", body="Neu"), effective_on=SIGNED
    )
    services.record_confirmation(
        koordination, polizei, v2, signatory_name="P", signatory_function="Leitung", confirmed_on=SIGNED
    )
    assert polizei in [row["organisation"] for row in queries.confirmation_status(v2)["confirmed"]]
    # Still a partner until then: no second accession in force at the same time.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        services.record_accession(
            koordination, polizei, v2, signatory_name="Q", signatory_function="Leitung", signed_on=SIGNED
        )
    assert "organisation" in excinfo.value.message_dict and polizei.accessions.count() == 1


# --- PDFs keep long unbroken text (links, file names) on the page ----------------------------

LONG = "https://example.org/" + "a" * 300


def _widest_box_and_page_width(html):
    from weasyprint import HTML

    document = HTML(string=html).render()
    widest = 0

    def walk(box):
        nonlocal widest
        if getattr(box, "width", None):
            widest = max(widest, box.position_x + box.width)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return widest, document.pages[0].width


def test_minutes_and_agreement_pdfs_wrap_long_unbroken_text(partners, version1, koordination):
    from django.template.loader import render_to_string

    meeting = services.save_meeting(
        koordination, title="Plenum", starts_at=_at(-3), ends_at=_at(-3, 16), location="Kreishaus"
    )
    services.save_minutes(koordination, meeting, minutes=f"Siehe {LONG}")
    services.add_task(koordination, meeting, title=LONG[:300], owner=partners[0])
    meeting = queries.meeting_detail(koordination, meeting.pk)
    html = render_to_string(
        "network/pdf/minutes.html", {"meeting": meeting, "carried": [], "network_name": "Netzwerk"}
    )
    widest, page_width = _widest_box_and_page_width(html)
    assert widest <= page_width

    version = services.create_version(koordination, title="F2", body=f"Quelle: {LONG}")
    version = services.publish_version(koordination, version, effective_on=SIGNED)
    html = render_to_string(
        "network/pdf/agreement.html",
        {"version": version, "signatories": queries.signatories(version), "network_name": "Netzwerk"},
    )
    widest, page_width = _widest_box_and_page_width(html)
    assert widest <= page_width


# --- Image materials lose their metadata like news photos do ---------------------------------


def test_jpeg_and_png_materials_are_stored_without_exif_or_gps(koordination, media_root):
    import io

    from django.core.files.storage import default_storage
    from PIL import Image

    from schutznetz.network.tests.conftest import upload
    from schutznetz.network.tests.test_news import _gps_jpeg

    material = services.save_material(
        koordination, title="Plakat", audience="betroffene", visibility="public", topics=["praevention"]
    )
    png = io.BytesIO()
    info = Image.new("RGBA", (40, 30), (0, 0, 255, 128))
    exif = Image.Exif()
    exif[0x010F] = "Testkamera"  # Make
    info.save(png, format="PNG", exif=exif)
    assert b"Testkamera" in png.getvalue()
    for data, name, fmt in ((_gps_jpeg(), "plakat.jpg", "JPEG"), (png.getvalue(), "plakat.png", "PNG")):
        version = services.add_material_version(koordination, material, upload(data, name, "image/jpeg"))
        with default_storage.open(version.file.name, "rb") as handle:
            raw = handle.read()
        assert b"Testkamera" not in raw and b"Frau M." not in raw
        image = Image.open(io.BytesIO(raw))
        assert image.format == fmt and not image.getexif()
        assert version.size == len(raw)


# --- English pages write dates the English way ----------------------------------------------


def test_public_pages_write_dates_in_the_page_language(partners, version1, koordination, client):
    item = services.save_news(
        koordination, title="Meldung", lead="Vorspann", body="Text", published_on=SIGNED
    )
    services.publish_news(koordination, item)
    for url in ("/netzwerk/", "/netzwerk/vereinbarung/", "/aktuelles/", item.get_absolute_url()):
        assert "2. November 2023" in client.get(url).content.decode(), url
        english = client.get("/en" + url).content.decode()
        assert "2 November 2023" in english and "2. November 2023" not in english, url


# --- Finalised minutes: the agenda and the tasks stay as recorded -----------------------------


def test_finalised_minutes_lock_agenda_and_tasks(partners, koordination, client):
    from django.core.exceptions import ValidationError

    meeting = services.save_meeting(
        koordination, title="Plenum", starts_at=_at(-3), ends_at=_at(-3, 16), location="Kreishaus"
    )
    first = services.add_agenda_item(koordination, meeting, title="Begrüßung")
    second = services.add_agenda_item(koordination, meeting, title="Spurensicherung")
    services.add_decision(koordination, meeting, text="AK gründen", agenda_item=second)
    services.save_minutes(koordination, meeting, minutes="Verlauf")
    services.finalise_minutes(koordination, meeting)
    with pytest.raises(ValidationError):
        services.add_task(koordination, meeting, title="nachträglich", owner=partners[0])
    login(client, koordination)
    detail = reverse("network:meeting_detail", args=[meeting.pk])
    page = client.get(detail).content.decode()
    assert reverse("network:agenda_remove", args=[meeting.pk, first.pk]) not in page
    assert reverse("network:agenda_add", args=[meeting.pk]) not in page
    response = client.post(reverse("network:agenda_remove", args=[meeting.pk, first.pk]), follow=True)
    assert "Das Protokoll ist abgeschlossen" in response.content.decode()
    client.post(reverse("network:agenda_add", args=[meeting.pk]), {"agenda-title": "Neu"})
    second.refresh_from_db()
    assert second.position == 2  # the decision still names TOP 2
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Begrüßung", "Spurensicherung"]
    assert not meeting.tasks.exists()


# --- Retention erases the names of an ended membership, not of the current one ---------------


def test_retention_keeps_confirmations_of_a_partner_that_rejoined(partners, version1, koordination):
    from schutznetz.network import retention
    from schutznetz.network.models import Accession, Confirmation

    jugendamt = partners[0]
    old = jugendamt.accessions.get()
    services.record_withdrawal(koordination, old, withdrawn_on=SIGNED)
    services.record_accession(
        koordination,
        jugendamt,
        version1,
        signatory_name="Neue Leitung",
        signatory_function="Leitung",
        signed_on=SIGNED + datetime.timedelta(days=1),
    )
    v2 = services.publish_version(
        koordination, services.create_version(koordination, title="F2", body="Neu"), effective_on=SIGNED
    )
    services.record_confirmation(
        koordination,
        jugendamt,
        v2,
        signatory_name="Neue Leitung",
        signatory_function="Leitung",
        confirmed_on=timezone.localdate(),
    )
    long_ago = timezone.localdate() - datetime.timedelta(days=3700)
    Accession.objects.filter(pk=old.pk).update(signed_on=long_ago, withdrawn_on=long_ago)
    (rule,) = retention.rules()
    assert rule.apply(rule.due()) == 1
    assert Accession.objects.get(pk=old.pk).signatory_name == retention.ERASED
    assert Confirmation.objects.get(organisation=jugendamt, version=v2).signatory_name == "Neue Leitung"


def test_confirmation_form_only_for_the_version_in_force(partners, version1, koordination, client):
    v2 = services.publish_version(
        koordination, services.create_version(koordination, title="F2", body="Neu"), effective_on=SIGNED
    )
    newcomer = make_organisation("Neuer Partner")
    services.record_accession(
        koordination,
        newcomer,
        v2,
        signatory_name="N",
        signatory_function="Leitung",
        signed_on=SIGNED,
    )
    login(client, koordination)
    confirm_v1 = reverse("network:version_confirm", args=[version1.number])
    confirm_v2 = reverse("network:version_confirm", args=[v2.number])
    assert (
        confirm_v1
        not in client.get(reverse("network:version_detail", args=[version1.number])).content.decode()
    )
    assert confirm_v2 in client.get(reverse("network:version_detail", args=[v2.number])).content.decode()


def test_saving_minutes_someone_else_has_just_finalised_says_so(partners, koordination, client):
    meeting = services.save_meeting(
        koordination, title="Plenum", starts_at=_at(-3), ends_at=_at(-3, 16), location="Kreishaus"
    )
    services.save_minutes(koordination, meeting, minutes="Verlauf")
    services.finalise_minutes(koordination, meeting)  # in another tab, by a colleague
    login(client, koordination)
    url = reverse("network:minutes", args=[meeting.pk])
    for data in (
        {"action": "minutes", "minutes-minutes": "Meine Ergänzung"},
        {"action": "decision", "decision-text": "Spät"},
        {"action": "task", "task-title": "Spät", "task-owner": partners[0].pk},
    ):
        response = client.post(url, data, follow=True)
        assert (
            "Das Protokoll ist abgeschlossen und kann nicht mehr geändert werden."
            in response.content.decode()
        )
    meeting.refresh_from_db()
    assert meeting.minutes == "Verlauf" and not meeting.decisions.exists() and not meeting.tasks.exists()


def test_new_version_while_a_draft_exists_leads_to_the_draft(partners, version1, koordination, client):
    draft = services.create_version(koordination, title="F2", body="Entwurf")
    login(client, koordination)
    response = client.get(reverse("network:version_new"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("network:version_edit", args=[draft.number])
    assert "Es gibt bereits einen Entwurf (Fassung 2)." in response.content.decode()
    assert 'name="body"' in response.content.decode()


def test_broken_image_material_is_refused_naming_the_field(koordination):
    from django.core.exceptions import ValidationError

    from schutznetz.network.models import MaterialVersion
    from schutznetz.network.tests.conftest import upload

    material = services.save_material(
        koordination, title="Plakat", audience="betroffene", visibility="public", topics=["praevention"]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_material_version(
            koordination, material, upload(b"\xff\xd8\xff\xe0" + b"kaputt" * 20, "plakat.jpg")
        )
    assert excinfo.value.messages[0].startswith("Datei: Das Bild lässt sich nicht verarbeiten")
    assert not MaterialVersion.objects.exists()


def test_cancel_on_an_edit_form_leads_back_to_the_thing_edited(partners, version1, koordination, client):
    meeting = services.save_meeting(
        koordination, title="Plenum", starts_at=_at(3), ends_at=_at(3, 16), location="Kreishaus"
    )
    draft = services.create_version(koordination, title="F2", body="Entwurf")
    login(client, koordination)
    page = client.get(reverse("network:meeting_edit", args=[meeting.pk])).content.decode()
    assert f'href="{meeting.get_absolute_url()}">Abbrechen' in page
    page = client.get(reverse("network:version_edit", args=[draft.number])).content.decode()
    assert f'href="{reverse("network:version_detail", args=[draft.number])}">Abbrechen' in page
    page = client.get(reverse("network:meeting_new")).content.decode()
    assert f'href="{reverse("network:meeting_list")}">Abbrechen' in page
