"""Staff side: who may see participants, filters, exports, check-in, mail, PDFs."""

import csv
import io

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from schutznetz.accounts.models import Role
from schutznetz.core.models import AccessLogEntry
from schutznetz.events import services
from schutznetz.events.models import Registration, Status
from schutznetz.events.tests.admin_forms import admin_post_data
from schutznetz.events.tests.conftest import registration_data
from schutznetz.testing.factories import login, make_organisation, make_user

pytestmark = pytest.mark.django_db


def confirmed(event, number, **extra):
    return services.confirm(services.register(event.pk, **registration_data(number, **extra)).registration.pk)


def pdf_text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def staff(client, koordination):
    return login(client, koordination)


def test_participants_are_hidden_from_other_roles(client, event):
    confirmed(event, 1, name="Geheime Person")
    fachkraft = make_user(roles=[Role.FACHKRAFT])
    login(client, fachkraft)
    assert client.get(reverse("events:staff_list")).status_code == 403
    assert client.get(reverse("events:staff_event", args=[event.pk])).status_code == 404
    assert client.get(reverse("events:export_csv", args=[event.pk])).status_code == 404
    # An organisation admin sees only the events their organisation organises.
    admin_elsewhere = make_user(organisation=make_organisation("Andere Stelle"), roles=[Role.ORG_ADMIN])
    login(client, admin_elsewhere)
    assert client.get(reverse("events:staff_event", args=[event.pk])).status_code == 404
    admin_here = make_user(organisation=event.organiser, roles=[Role.ORG_ADMIN])
    login(client, admin_here)
    assert "Geheime Person" in client.get(reverse("events:staff_event", args=[event.pk])).content.decode()


def test_participant_list_filters_and_logs_access(staff, make_event):
    event = make_event(capacity=5)
    confirmed(event, 1, name="Anna Polizistin", profession="polizei")
    confirmed(event, 2, name="Berta Beraterin", profession="beratung")
    services.register(event.pk, **registration_data(3, name="Carla Pending"))
    url = reverse("events:staff_event", args=[event.pk])
    html = staff.get(url, {"profession": "polizei"}).content.decode()
    assert "Anna Polizistin" in html and "Berta Beraterin" not in html
    html = staff.get(url, {"status": "pending"}).content.decode()
    assert "Carla Pending" in html and "Anna Polizistin" not in html
    html = staff.get(url, {"q": "berta"}).content.decode()
    assert "Berta Beraterin" in html and "Carla Pending" not in html
    assert AccessLogEntry.objects.filter(object_type="events.event", object_id=str(event.pk)).exists()


def test_exports_neutralise_formulas(staff, event):
    confirmed(event, 1, name='=HYPERLINK("http://evil")', organisation_name="+SUM(A1)")
    response = staff.get(reverse("events:export_csv", args=[event.pk]))
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Name"
    assert rows[1][0].startswith("'=") and rows[1][2].startswith("'+")
    response = staff.get(reverse("events:export_xlsx", args=[event.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[0].startswith("'=") and values[1] == "person1@example.org"


def test_check_in_once_by_ticket_then_second_scan_says_when(staff, event):
    registration = confirmed(event, 1, name="Doris Einlass")
    url = reverse("events:check_in", args=[event.pk])
    scanned = f"http://127.0.0.1:8000{url}?ticket={registration.ticket_code}"
    response = staff.post(url, {"ticket": scanned})
    assert response.status_code == 200 and "ist eingecheckt" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    again = staff.post(url, {"ticket": registration.ticket_code.lower()})
    assert again.status_code == 409
    assert "bereits eingecheckt: am" in again.content.decode()
    unknown = staff.post(url, {"ticket": "NICHTDA"})
    assert "gehört nicht zu dieser Veranstaltung" in unknown.content.decode()


def test_check_in_by_name_search(staff, event):
    registration = confirmed(event, 1, name="Erika Suchbar")
    url = reverse("events:check_in", args=[event.pk])
    html = staff.get(url, {"q": "suchbar"}).content.decode()
    assert "Erika Suchbar" in html
    staff.post(url, {"registration": registration.pk})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_pending_registration_cannot_check_in(koordination, event):
    pending = services.register(event.pk, **registration_data(1)).registration
    result = services.check_in(koordination, event, registration_id=pending.pk)
    assert not result.ok and "keinen bestätigten Platz" in result.message


def test_ticket_of_another_event_is_refused(koordination, make_event):
    event, other = make_event(), make_event()
    registration = confirmed(other, 1)
    result = services.check_in(koordination, event, ticket_code=registration.ticket_code)
    assert not result.ok


def test_mail_to_all_participants(staff, event):
    confirmed(event, 1)
    confirmed(event, 2)
    services.register(event.pk, **registration_data(3))  # waiting list: not a participant
    django_mail.outbox.clear()
    response = staff.post(
        reverse("events:mail", args=[event.pk]), {"subject": "Raumänderung", "body": "Wir sind in Raum 2."}
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in django_mail.outbox) == ["person1@example.org", "person2@example.org"]
    assert all("Raum 2." in m.body and "/veranstaltungen/anmeldung/" in m.body for m in django_mail.outbox)
    empty = staff.post(reverse("events:mail", args=[event.pk]), {"subject": "", "body": ""})
    assert empty.status_code == 200 and "Betreff" in empty.content.decode()


def test_badges_and_certificates_contain_names_and_hours(staff, koordination, event):
    present = confirmed(event, 1, name="Frieda Anwesend")
    confirmed(event, 2, name="Gustav Abwesend")
    services.check_in(koordination, event, registration_id=present.pk)
    badges = staff.get(reverse("events:badges", args=[event.pk]))
    assert badges["Content-Type"] == "application/pdf"
    text = pdf_text(badges.content)
    assert "Frieda Anwesend" in text and "Gustav Abwesend" in text
    certificates = staff.get(reverse("events:certificates", args=[event.pk]))
    text = pdf_text(certificates.content)
    # 8 hours minus a 45-minute lunch break.
    assert "Frieda Anwesend" in text and "Gustav Abwesend" not in text
    assert "7,25" in text or "7.25" in text
    single = staff.get(reverse("events:certificate", args=[event.pk, present.pk]))
    assert "Frieda Anwesend" in pdf_text(single.content)
    absent = Registration.objects.get(status=Status.CONFIRMED, checked_in_at__isnull=True)
    assert staff.get(reverse("events:certificate", args=[event.pk, absent.pk])).status_code == 404


def test_staff_cancel_promotes(staff, make_event):
    event = make_event(capacity=1)
    first = confirmed(event, 1)
    waiting = confirmed(event, 2)
    response = staff.post(reverse("events:staff_cancel", args=[event.pk, first.pk]))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_staff_list_and_dashboard_panel(staff, event):
    confirmed(event, 1)
    assert event.title in staff.get(reverse("events:staff_list")).content.decode()
    assert event.title in staff.get(reverse("core:staff_home")).content.decode()


def test_api_lists_only_managed_events_without_personal_data(client, koordination, event, make_event):
    confirmed(event, 1, name="Ida Api")
    login(client, koordination)
    data = client.get("/api/v1/events/").json()
    row = next(r for r in data["results"] if r["id"] == event.pk)
    assert row["confirmed"] == 1 and row["capacity"] == event.capacity
    assert "Ida Api" not in str(data)
    login(client, make_user(roles=[Role.FACHKRAFT]))
    assert client.get("/api/v1/events/").json()["results"] == []


def test_admin_capacity_change_promotes(client, koordination, make_event):
    event = make_event(capacity=1)
    confirmed(event, 1)
    waiting = confirmed(event, 2)
    login(client, koordination)
    url = reverse("admin:events_event_change", args=[event.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = admin_post_data(page)
    data["is_published"] = "on"
    data["capacity"] = 2
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED


def test_exports_write_registration_times_as_dates_excel_can_sort(staff, event):
    from datetime import datetime

    registration = confirmed(event, 1, name="Erna Datum")
    local = timezone.localtime(registration.created_at)
    response = staff.get(reverse("events:export_xlsx", args=[event.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Angemeldet am") + 1)
    # A real date cell in the county's time (not UTC text), shown day first.
    assert isinstance(cell.value, datetime)
    assert cell.value == local.replace(
        tzinfo=None, second=cell.value.second, microsecond=cell.value.microsecond
    )
    assert cell.number_format == "DD.MM.YYYY HH:MM"
    assert sheet.cell(row=2, column=header.index("Eingecheckt am") + 1).value in (None, "")
    response = staff.get(reverse("events:export_csv", args=[event.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][header.index("Angemeldet am")] == local.strftime("%d.%m.%Y %H:%M")
