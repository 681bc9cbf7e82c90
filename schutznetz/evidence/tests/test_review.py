"""Defects found walking the staff pages as clinic, institute and coordination (review of issue #5)."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from schutznetz.evidence import services
from schutznetz.evidence.models import Kit, Programme, RecipientKind, ReminderChannel
from schutznetz.testing.factories import login

from .conftest import at_institute

pytestmark = pytest.mark.django_db


def registration(sites, **extra):
    data = {
        "programme": sites.programme.pk,
        "examined_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "kind": "sexual",
        "seal_number": "S-1",
        "items_swabs": "2",
        "reminder_channel": "none",
    }
    data.update(extra)
    return data


def flash(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_second_programme_with_the_same_title_is_refused_not_a_server_error(client, sites):
    login(client, sites.koordination)
    response = client.post(
        reverse("evidence:programme_create"),
        {
            "title": "testprogramm ",
            "storage_site": sites.institute.pk,
            "clinics": [sites.other_clinic.pk],
            "retention_years": "3",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Bezeichnung: Ein Programm mit dieser Bezeichnung gibt es schon." in response.content.decode()
    assert Programme.objects.count() == 1
    # Saving the existing programme under its own title still works.
    services.save_programme(
        sites.koordination,
        programme=sites.programme,
        title="Testprogramm",
        storage_site=sites.institute,
        clinics=[sites.clinic],
        retention_years=5,
    )
    assert Programme.objects.get().retention_years == 5


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "01.01.0001 00:00", "1926-11-20T10:00"])
def test_an_examination_too_long_ago_is_refused_by_name(client, sites, when):
    login(client, sites.clinic_user)
    response = client.post(reverse("evidence:kit_register"), registration(sites, examined_at=when))
    assert response.status_code == 200
    assert "Untersuchung am: Der Untersuchungszeitpunkt liegt zu weit zurück" in response.content.decode()
    assert Kit.objects.count() == 0


def test_a_phone_reminder_needs_a_phone_number(client, sites):
    login(client, sites.clinic_user)
    response = client.post(
        reverse("evidence:kit_register"),
        registration(sites, reminder_channel="phone", reminder_contact="bitte abends"),
    )
    assert "E-Mail-Adresse oder Telefonnummer für die Erinnerung: Bitte eine Telefonnummer angeben" in (
        response.content.decode()
    )
    assert Kit.objects.count() == 0
    response = client.post(
        reverse("evidence:kit_register"),
        registration(sites, reminder_channel="phone", reminder_contact="+49 (2921) 123-456"),
    )
    assert Kit.objects.get().reminder_contact == "+49 (2921) 123-456"


def test_sending_the_registration_form_twice_registers_one_kit(client, sites):
    login(client, sites.clinic_user)
    form = client.get(reverse("evidence:kit_register")).context["form"]
    data = registration(sites, once=form["once"].value())
    first = client.post(reverse("evidence:kit_register"), data)
    kit = Kit.objects.get()
    pin = first.context["pin"]
    # Reload of the confirmation page, or back and send again:
    again = client.post(reverse("evidence:kit_register"), data)
    assert Kit.objects.count() == 1
    assert again.status_code == 302 and again["Location"] == reverse("evidence:kit_detail", args=[kit.pk])
    assert any("bereits erfasst" in m for m in flash(again))
    assert pin not in client.get(again["Location"]).content.decode()
    # A newly opened form registers the next kit.
    fresh = client.get(reverse("evidence:kit_register")).context["form"]["once"].value()
    assert fresh != data["once"]
    client.post(reverse("evidence:kit_register"), registration(sites, once=fresh))
    assert Kit.objects.count() == 2


def test_action_pages_are_not_offered_to_a_site_that_cannot_send_them(client, sites):
    kit, _ = at_institute(sites)
    login(client, sites.clinic_user)  # registered the kit, no longer holds it
    for name in ("kit_hand_over", "kit_storage", "kit_extend", "kit_destroy", "kit_waiver", "kit_receive"):
        response = client.get(reverse(f"evidence:{name}", args=[kit.pk]))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("evidence:kit_detail", args=[kit.pk])
        assert flash(response), name
    response = client.post(reverse("evidence:kit_hand_over", args=[kit.pk]), {"to_site": sites.clinic_b.pk})
    assert response.status_code == 302 and kit.events.count() == 3
    client.logout()
    login(client, sites.lab_user)
    # The holder gets the forms, but no receipt form for a kit it already holds.
    assert client.get(reverse("evidence:kit_hand_over", args=[kit.pk])).status_code == 200
    assert client.get(reverse("evidence:kit_receive", args=[kit.pk])).status_code == 302
    # Release without a waiver leads to the waiver form.
    response = client.get(reverse("evidence:kit_release", args=[kit.pk]))
    assert response["Location"] == reverse("evidence:kit_waiver", args=[kit.pk])
    assert any("Schweigepflichtentbindung" in m for m in flash(response))


def test_a_waiver_cannot_predate_the_examination(sites):
    kit, _ = at_institute(sites, days_ago=30)
    with pytest.raises(ValidationError) as exc:
        services.record_waiver(
            sites.lab_user,
            kit,
            signed_on=datetime.date(1, 1, 1),
            form_reference="SE-1",
            recipient_kind=RecipientKind.POLICE,
            recipient_office="KPB Soest",
        )
    assert exc.value.message_dict == {"signed_on": ["Das Datum darf nicht vor der Untersuchung liegen."]}
    assert not hasattr(kit, "waiver")


def test_an_overdue_kit_cannot_be_extended_to_another_past_date(sites):
    kit, _ = at_institute(sites, days_ago=3700, reminder_channel=ReminderChannel.NONE)
    old = kit.retention_until
    assert old < timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.extend_retention(
            sites.lab_user, kit, new_until=old + datetime.timedelta(days=1), reason="Wunsch"
        )
    assert "new_until" in exc.value.message_dict
    kit.refresh_from_db()
    assert kit.retention_until == old and not kit.extensions.exists()
    services.extend_retention(
        sites.lab_user, kit, new_until=timezone.localdate() + datetime.timedelta(days=365), reason="Wunsch"
    )


def test_download_links_of_the_first_billing_page_give_the_shown_quarter(client, sites):
    from .conftest import register

    register(sites, days_ago=0)
    login(client, sites.koordination)
    page = client.get(reverse("evidence:billing"))  # first visit: no parameters, the current quarter
    assert page.context["total"] == 1
    links = re.findall(r'href="(\?[^"]*format=(?:csv|xlsx))"', page.content.decode())
    assert len(links) == 2
    csv = client.get(reverse("evidence:billing") + html.unescape(links[0]))
    assert csv["Content-Type"].startswith("text/csv")
    today = timezone.localdate()
    assert f"{today.year}-Q{(today.month - 1) // 3 + 1};Klinik A (Test);Sexualisierte Gewalt;1" in (
        csv.content.decode("utf-8-sig")
    )
    xlsx = client.get(reverse("evidence:billing") + html.unescape(links[1]))
    assert xlsx.content.startswith(b"PK")


def test_the_start_page_says_when_it_shows_only_part_of_the_held_kits(client, sites, monkeypatch):
    from schutznetz.evidence import queries

    from .conftest import register

    for _ in range(3):
        register(sites)
    login(client, sites.clinic_user)
    assert "Gezeigt sind" not in client.get(reverse("evidence:kit_list")).content.decode()
    monkeypatch.setattr(queries, "HELD_LIMIT", 2)
    body = client.get(reverse("evidence:kit_list")).content.decode()
    assert "Gezeigt sind 2 von 3 Sets in Ihrer Verwahrung" in body


def test_destruction_without_a_possible_witness_says_why_instead_of_an_empty_choice(client, sites):
    kit, _ = at_institute(sites, days_ago=3700)
    sites.lab_witness.is_active = False
    sites.lab_witness.save()
    login(client, sites.lab_user)
    body = client.get(reverse("evidence:kit_destroy", args=[kit.pk])).content.decode()
    assert "keine weitere Person" in body and "Vernichtung eintragen" not in body


def test_the_waiver_is_shown_only_to_sites_that_see_the_chain(client, sites):
    kit, _ = at_institute(sites)
    services.record_waiver(
        sites.lab_user,
        kit,
        signed_on=timezone.localdate(),
        form_reference="SE-2026-099",
        recipient_kind=RecipientKind.POLICE,
        recipient_office="KPB Soest, KK 12",
    )
    services.release(sites.lab_user, kit, seal_number="S-1")
    login(client, sites.lab_user)
    assert "SE-2026-099" in client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    client.logout()
    login(client, sites.clinic_user)  # examined the person, never saw the waiver
    body = client.get(reverse("evidence:kit_detail", args=[kit.pk])).content.decode()
    assert "freigegeben" in body
    assert "SE-2026-099" not in body and "KK 12" not in body


def _label_boxes(box):
    element = getattr(box, "element", None)
    if element is not None and element.get("class") == "label":
        yield box
        return
    for child in getattr(box, "children", []):
        yield from _label_boxes(child)


def test_label_text_stays_inside_its_label(sites):
    import weasyprint
    from django.template.loader import render_to_string

    from schutznetz.evidence import views

    from .conftest import register

    sites.clinic_b.name = "Dreifaltigkeits-Hospital Lippstadt, Zentrale Notaufnahme und Gewaltschutzambulanz"
    sites.clinic_b.save()
    items = {"swabs": 12, "blood": 2, "urine": 2, "hair": 1, "photos": 12, "clothing": 2}
    kit, _ = register(sites, actor=sites.clinic_b_user, kind="ko_drugs", items=items)
    html_text = render_to_string(
        "evidence/pdf/labels.html",
        {
            "kit": kit,
            "items": list(kit.items.all()),
            "qr": views._qr_data_uri(kit.code, scale=3),
            "copies": range(6),
        },
    )
    page = weasyprint.HTML(string=html_text).render().pages[0]
    labels = list(_label_boxes(page._page_box))
    assert len(labels) == 6
    for label in labels:
        bottom = label.position_y + label.margin_height()
        content_bottom = max(d.position_y + d.margin_height() for d in label.descendants() if d is not label)
        assert content_bottom <= bottom + 0.5  # nothing runs into the next label


def test_only_clinics_get_the_register_button(client, sites):
    login(client, sites.clinic_user)
    assert reverse("evidence:kit_register") in client.get(reverse("evidence:kit_list")).content.decode()
    client.logout()
    login(client, sites.lab_user)
    assert reverse("evidence:kit_register") not in client.get(reverse("evidence:kit_list")).content.decode()


def test_a_recorded_waiver_is_shown_for_correction_not_typed_again(client, sites):
    kit, _ = at_institute(sites)
    services.record_waiver(
        sites.lab_user,
        kit,
        signed_on=timezone.localdate(),
        form_reference="SE-2026-123",
        recipient_kind=RecipientKind.PROSECUTOR,
        recipient_office="StA Arnsberg",
    )
    login(client, sites.lab_user)
    form = client.get(reverse("evidence:kit_waiver", args=[kit.pk])).context["form"]
    assert form["form_reference"].value() == "SE-2026-123"
    assert form["recipient_kind"].value() == RecipientKind.PROSECUTOR
    assert form["recipient_office"].value() == "StA Arnsberg"
