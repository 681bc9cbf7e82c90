"""Defects found walking the module as organiser and participants (review of issue #6)."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from schutznetz.events import services
from schutznetz.events.models import ItemKind, ProgrammeItem, Status
from schutznetz.events.tests.admin_forms import admin_post_data
from schutznetz.events.tests.conftest import registration_data
from schutznetz.testing.factories import login

pytestmark = pytest.mark.django_db


def confirmed(event, number, **extra):
    return services.confirm(services.register(event.pk, **registration_data(number, **extra)).registration.pk)


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_workshop_choices_show_local_time_like_the_programme(client, make_event):
    event = make_event(workshops=[30])
    workshop = ProgrammeItem.objects.get(event=event, kind=ItemKind.WORKSHOP)
    local = timezone.localtime(workshop.starts_at)
    assert local.utcoffset()  # Europe/Berlin is never UTC: the defect would show
    html = client.get(event.get_absolute_url()).content.decode()
    label = f"{local:%H:%M}–{timezone.localtime(workshop.ends_at):%H:%M} · {workshop.title}"
    assert label in html
    assert f"{workshop.starts_at:%H:%M}–" not in html.split("Workshop A", 1)[0][-40:]
    assert str(workshop).startswith(f"{local:%H:%M} ")


def test_one_free_workshop_place_is_singular(client, make_event):
    event = make_event(capacity=5, workshops=[2])
    workshop = ProgrammeItem.objects.get(event=event, kind=ItemKind.WORKSHOP)
    services.register(event.pk, **registration_data(1), workshop_ids=[workshop.pk])
    html = client.get(event.get_absolute_url()).content.decode()
    assert "(1 Platz frei)" in html and "(1 Plätze frei)" not in html


def test_english_registration_gets_english_mails_and_links(client, make_event):
    event = make_event(capacity=1)
    response = client.post(
        f"/en/veranstaltungen/{event.slug}/", {**registration_data(1), "privacy_consent": "on"}
    )
    assert response.status_code == 303 and response["Location"].startswith(
        f"/en/veranstaltungen/{event.slug}/"
    )
    message = django_mail.outbox[-1]
    assert "Please confirm" in message.subject
    confirm_url = re.search(r"http\S+/bestaetigen/", message.body).group(0)
    assert "/en/veranstaltungen/anmeldung/" in confirm_url
    # A German registration stays German.
    client.post(f"/veranstaltungen/{event.slug}/", {**registration_data(2), "privacy_consent": "on"})
    german = django_mail.outbox[-1]
    assert "Bitte bestätigen" in german.subject and "/en/" not in german.body
    # Later mails, sent outside any request (a promotion after a cancellation), keep each person's language.
    with translation.override("de"):
        english = services.registration_for_token(confirm_url.rstrip("/").split("/")[-2])
        services.confirm(english.pk)
        waiting = services.register(event.pk, **registration_data(3), language="en").registration
        services.confirm(waiting.pk)
        django_mail.outbox.clear()
        services.cancel(english.pk)
    subjects = {m.to[0]: m.subject for m in django_mail.outbox}
    assert subjects["person1@example.org"].startswith("Cancellation confirmed")
    assert subjects["person3@example.org"].startswith("A place has become available")
    promoted = next(m for m in django_mail.outbox if m.to[0] == "person3@example.org")
    assert "/en/veranstaltungen/anmeldung/" in promoted.body


def test_staff_cancellation_mail_does_not_claim_the_person_cancelled(client, koordination, event):
    registration = confirmed(event, 1)
    login(client, koordination)
    django_mail.outbox.clear()
    client.post(reverse("events:staff_cancel", args=[event.pk, registration.pk]))
    body = django_mail.outbox[0].body
    assert "von den Organisierenden storniert" in body
    assert "Sie haben sich" not in body


def test_leaving_the_waiting_list_mail_does_not_mention_a_place(make_event):
    event = make_event(capacity=1)
    confirmed(event, 1)
    waiting = confirmed(event, 2)
    assert waiting.status == Status.WAITLIST
    django_mail.outbox.clear()
    services.cancel(waiting.pk)
    body = django_mail.outbox[0].body
    assert "nicht mehr auf der Warteliste" in body and "Ihr Platz wird" not in body


def test_mail_subject_with_line_break_is_sent_on_one_line(client, koordination, event):
    confirmed(event, 1)
    login(client, koordination)
    django_mail.outbox.clear()
    response = client.post(
        reverse("events:mail", args=[event.pk]), {"subject": "Raum\r\nBcc: x@example.org", "body": "Raum 2"}
    )
    assert response.status_code == 302
    assert len(django_mail.outbox) == 1
    assert django_mail.outbox[0].subject.startswith("Raum Bcc: x@example.org")
    assert "\n" not in django_mail.outbox[0].subject


def test_certificate_names_only_the_workshops_chosen(client, koordination, make_event):
    event = make_event(capacity=5, workshops=[10, 10])
    workshop_a, workshop_b = ProgrammeItem.objects.filter(event=event, kind=ItemKind.WORKSHOP).order_by(
        "title"
    )
    person = confirmed(event, 1, name="Frieda Anwesend", workshop_ids=[workshop_a.pk])
    services.check_in(koordination, event, registration_id=person.pk)
    login(client, koordination)
    for url in (
        reverse("events:certificate", args=[event.pk, person.pk]),
        reverse("events:certificates", args=[event.pk]),
    ):
        text = pdf_text(client.get(url).content)
        assert "Frieda Anwesend" in text
        assert workshop_a.title in text and workshop_b.title not in text


def test_admin_names_the_field_when_the_end_is_before_the_start(client, koordination, event):
    ends_at = event.ends_at
    login(client, koordination)
    url = reverse("admin:events_event_change", args=[event.pk])
    data = admin_post_data(client.get(url))
    start = timezone.localtime(event.starts_at)
    data["ends_at_0"], data["ends_at_1"] = start.strftime("%d.%m.%Y"), "08:00:00"
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["ends_at"] == ["Das Ende muss nach dem Beginn liegen."]
    assert "event_ends_after_start" not in response.content.decode()
    event.refresh_from_db()
    assert event.ends_at == ends_at


def test_admin_refuses_programme_item_outside_the_day_or_ending_before_it_starts(client, koordination, event):
    login(client, koordination)
    url = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(url)
    data = admin_post_data(page)
    prefix = next(
        f.prefix
        for i in page.context["inline_admin_formsets"]
        for f in i.formset.forms
        if "programme" in f.prefix
    )
    day = timezone.localtime(event.starts_at).strftime("%d.%m.%Y")
    data[f"{prefix}-ends_at_0"], data[f"{prefix}-ends_at_1"] = day, "08:30:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Das Ende muss nach dem Beginn liegen." in response.content.decode()
    later = (timezone.localtime(event.starts_at) + timedelta(days=1)).strftime("%d.%m.%Y")
    data[f"{prefix}-starts_at_0"], data[f"{prefix}-ends_at_0"] = later, later
    data[f"{prefix}-starts_at_1"], data[f"{prefix}-ends_at_1"] = "12:30:00", "13:15:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "innerhalb der Veranstaltungszeit" in response.content.decode()
    item = ProgrammeItem.objects.get(event=event, kind=ItemKind.BREAK)
    assert timezone.localtime(item.starts_at).date() == timezone.localtime(event.starts_at).date()


def _boxes(box):
    yield box
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child)


def _classes(box):
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


LONG_NAME = ("Maximiliane Sophie-Charlotte Freifrau von Hohenzollern-Sigmaringen " * 4)[:200]
LONG_ORGANISATION = ("Kreisjugendamt Soest, Abteilung Allgemeiner Sozialer Dienst " * 4)[:200]


def test_badges_keep_long_names_inside_their_badge(make_event):
    from django.template.loader import render_to_string
    from weasyprint import HTML

    event = make_event(capacity=5)
    for number in range(3):
        confirmed(
            event, number, name=LONG_NAME if number != 1 else "Ida Kurz", organisation_name=LONG_ORGANISATION
        )
    rows = list(services.Registration.objects.filter(event=event))
    document = HTML(
        string=render_to_string("events/pdf/badges.html", {"event": event, "rows": rows})
    ).render()
    badges = [b for page in document.pages for b in _boxes(page._page_box) if "badge" in _classes(b)]
    assert len(badges) == 3
    for badge in badges:
        bottom = badge.position_y + badge.margin_height()
        parts = [
            b
            for b in _boxes(badge)
            if _classes(b) & {"name", "org", "event"} and type(b).__name__ == "BlockBox"
        ]
        assert len(parts) == 3
        for part in parts:
            assert part.position_y + part.margin_height() <= bottom + 0.5, _classes(part)


def test_each_certificate_fits_on_one_page_with_long_texts(client, koordination, make_event):
    event = make_event(capacity=5, workshops=[10, 10, 10])
    event.title = ("Sexualisierte Gewalt – Interdisziplinäre Zusammenarbeit als Herausforderung " * 3)[:200]
    event.save()
    start = event.starts_at
    for hour in range(8):  # a full day's programme, as in the demo Fachtag
        ProgrammeItem.objects.create(
            event=event, kind=ItemKind.TALK, title=f"Vortrag {hour}: Fakten, Folgen und Hilfen im Hilfesystem",
            starts_at=start + timedelta(hours=hour), ends_at=start + timedelta(hours=hour, minutes=45),
        )  # fmt: skip
    workshop = ProgrammeItem.objects.filter(event=event, kind=ItemKind.WORKSHOP).first()
    for number in range(2):
        person = confirmed(
            event, number, name=LONG_NAME, organisation_name=LONG_ORGANISATION, workshop_ids=[workshop.pk]
        )
        services.check_in(koordination, event, registration_id=person.pk)
    login(client, koordination)
    response = client.get(reverse("events:certificates", args=[event.pk]))
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    # Each certificate is a document of its own for its holder: no "2 / 2" running across them.
    assert all(" / 2" not in page.extract_text() for page in pages)


def test_privacy_notice_states_the_configured_retention(client, event, settings):
    settings.SCHUTZNETZ_EVENT_RETENTION_DAYS = 45
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Alle Angaben werden 45 Tage nach der Veranstaltung gelöscht" in html
    assert "einige Wochen" not in html


def test_admin_offers_only_this_events_speakers(client, koordination, make_event):
    from schutznetz.events.models import Speaker

    event, other = make_event(), make_event()
    own = Speaker.objects.create(event=event, name="Dr. Eigene Referentin")
    foreign = Speaker.objects.create(event=other, name="Dr. Fremde Referentin")
    login(client, koordination)
    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    formset = next(
        i.formset for i in page.context["inline_admin_formsets"] if i.formset.model is ProgrammeItem
    )
    choices = set(formset.forms[0].fields["speakers"].queryset)
    assert own in choices and foreign not in choices
    add_page = client.get(reverse("admin:events_event_add"))
    formset = next(
        i.formset for i in add_page.context["inline_admin_formsets"] if i.formset.model is ProgrammeItem
    )
    assert not formset.forms[0].fields["speakers"].queryset.exists()


def test_no_promotion_mail_once_the_event_has_begun(make_event):
    event = make_event(capacity=1)
    first = confirmed(event, 1)
    waiting = confirmed(event, 2)
    django_mail.outbox.clear()
    _cancelled, promoted = services.cancel(first.pk, now=event.starts_at + timedelta(hours=2))
    waiting.refresh_from_db()
    assert promoted == [] and waiting.status == Status.WAITLIST
    assert [m.to[0] for m in django_mail.outbox] == ["person1@example.org"]


def test_organiser_creates_a_fachtag_with_its_programme_in_one_save(client, koordination, organiser):
    from schutznetz.events.models import Event

    login(client, koordination)
    url = reverse("admin:events_event_add")
    page = client.get(url)
    data = admin_post_data(page)
    data.update(
        {
            "title": "Fachtag Sexualisierte Gewalt",
            "slug": "fachtag-sg",
            "starts_at_0": "10.03.2027", "starts_at_1": "09:00:00",
            "ends_at_0": "10.03.2027", "ends_at_1": "17:00:00",
            "venue_name": "FH Südwestfalen", "venue_city": "Soest",
            "organiser": organiser.pk, "capacity": 150,
        }
    )  # fmt: skip
    prefix = next(
        i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is ProgrammeItem
    )
    item = {"kind": "workshop", "title": "Workshop A", "room": "A1", "capacity": "30"}
    data.update({f"{prefix}-0-{k}": v for k, v in item.items()})
    data[f"{prefix}-0-starts_at_0"] = data[f"{prefix}-0-ends_at_0"] = "11.03.2027"
    data[f"{prefix}-0-starts_at_1"], data[f"{prefix}-0-ends_at_1"] = "13:15:00", "14:45:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "innerhalb der Veranstaltungszeit" in response.content.decode()
    assert not Event.objects.filter(slug="fachtag-sg").exists()
    data[f"{prefix}-0-starts_at_0"] = data[f"{prefix}-0-ends_at_0"] = "10.03.2027"
    response = client.post(url, data)
    assert response.status_code == 302
    event = Event.objects.get(slug="fachtag-sg")
    workshop = event.programme.get()
    assert timezone.localtime(workshop.starts_at).strftime("%d.%m.%Y %H:%M") == "10.03.2027 13:15"


def test_every_check_in_scan_that_shows_a_name_is_access_logged(client, koordination, event):
    from schutznetz.core.models import AccessLogEntry

    person = confirmed(event, 1)
    login(client, koordination)
    url = reverse("events:check_in", args=[event.pk])
    client.post(url, {"ticket": person.ticket_code})
    second = client.post(url, {"ticket": person.ticket_code})
    assert second.status_code == 409 and "bereits eingecheckt" in second.content.decode()
    entries = AccessLogEntry.objects.filter(object_type="events.registration", object_id=str(person.pk))
    assert entries.filter(purpose="check-in", user_id=koordination.pk).count() == 2
