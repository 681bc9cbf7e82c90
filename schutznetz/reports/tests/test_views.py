"""Dashboard, scoping, the annual report (command, task, files)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from schutznetz.accounts.models import Role
from schutznetz.reports.models import ReportJob
from schutznetz.testing.factories import login, make_user

from .conftest import at, make_case

pytestmark = pytest.mark.django_db
URL = reverse("reports:dashboard")


@pytest.fixture
def data(orgs):
    a, b = orgs
    for _ in range(7):
        make_case(a, at(2025, 3, 1), category="stalking", municipality="Werl")
    for _ in range(9):
        make_case(b, at(2025, 4, 1), category="sexualisierte_gewalt", municipality="Lippstadt")
    for _ in range(6):
        make_case(b, at(2024, 4, 1), category="stalking", municipality="Lippstadt")
    return a, b


def test_dashboard_needs_login_and_an_organisation(client, db):
    assert client.get(URL).status_code == 302
    user = make_user(roles=[Role.FACHKRAFT])
    user.organisation = None
    user.save()
    login(client, user)
    assert client.get(URL).status_code == 403


def test_koordination_sees_every_organisation_with_chart_and_table(client, koordination, data):
    login(client, koordination)
    response = client.get(URL, {"year": 2025})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and 'role="img"' in html
    assert "<caption" in html and 'scope="row"' in html
    assert "Jugendamt Test" in html and "Frauenberatung Test" in html
    assert 'id="chart-title"' not in html  # every chart has its own id
    # Koordination may pick another organisation
    response = client.get(URL, {"year": 2025, "organisation": data[1].pk})
    assert response.status_code == 200
    assert response.context["scope"].organisation == data[1]


def test_partner_never_sees_another_organisations_breakdown(client, data):
    a, b = data
    partner = make_user(organisation=a, roles=[Role.FACHKRAFT])
    login(client, partner)
    response = client.get(URL, {"year": 2025})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jugendamt Test" not in html  # only "andere Organisationen"
    assert "andere Organisationen" in html
    by_org = next(m for m in response.context["measures"] if m.key == "cases_by_organisation")
    assert [str(r.label) for r in by_org.tables[0].rows] == ["Frauenberatung Test", "andere Organisationen"]
    # picking the other organisation is refused: the choice is not offered, the form rejects it
    response = client.get(URL, {"year": 2025, "organisation": b.pk})
    assert response.context["scope"].organisation is None
    assert "Jugendamt Test" not in response.content.decode()
    # its own organisation it may pick
    response = client.get(URL, {"year": 2025, "organisation": a.pk})
    assert response.context["scope"].organisation == a


def test_partner_county_view_hides_small_differences_to_its_own_numbers(client, orgs):
    a, b = orgs
    for _ in range(7):
        make_case(a, at(2025, 3, 1), category="stalking")
    for _ in range(2):
        make_case(b, at(2025, 3, 1), category="stalking")
    for _ in range(20):
        make_case(b, at(2025, 3, 1), category="haeusliche_gewalt")
    partner = make_user(organisation=a, roles=[Role.FACHKRAFT])
    login(client, partner)
    measures = client.get(URL, {"year": 2025}).context["measures"]
    by_category = next(m for m in measures if m.key == "cases_by_category").tables[0]
    stalking = next(r for r in by_category.rows if str(r.label) == "Stalking")
    # County 9 minus own 7 = 2 other cases: not shown to this partner.
    assert stalking.cells[0].suppressed


def test_annual_report_json_to_stdout(data):
    out = io.StringIO()
    call_command("annual_report", "--year", "2025", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["year"] == 2025
    assert report["sections"] == [
        "Einleitung",
        "Kennzahlen",
        "Vergleich mit dem Vorjahr",
        "Lücken im Hilfeangebot",
        "Veranstaltungen",
    ]
    by_category = next(m for m in report["measures"] if m["key"] == "cases_by_category")
    assert by_category["tables"][0]["total"] == 16
    comparison = next(c for c in report["comparison"] if c["key"] == "cases_by_category")
    assert (comparison["current"], comparison["previous"]) == ("16", "6")


def test_annual_report_command_rejects_bad_input(tmp_path):
    with pytest.raises(CommandError, match="--output"):
        call_command("annual_report", "--year", "2025", "--format", "pdf")
    with pytest.raises(CommandError, match="--year"):
        call_command("annual_report", "--year", "12", "--format", "json")


def test_annual_report_command_checks_the_output_before_the_work(tmp_path, monkeypatch):
    from schutznetz.reports import annual

    def build(*args, **kwargs):
        raise AssertionError("computed although the file cannot be written")

    monkeypatch.setattr(annual, "build", build)
    for target in (tmp_path / "fehlt" / "bericht.pdf", tmp_path):
        with pytest.raises(CommandError, match="--output: in .* kann nicht geschrieben werden"):
            call_command("annual_report", "--year", "2025", "--format", "pdf", "--output", str(target))


def test_annual_report_xlsx_has_the_sections(data, tmp_path):
    target = tmp_path / "bericht.xlsx"
    call_command(
        "annual_report", "--year", "2025", "--format", "xlsx", "--output", str(target), stderr=io.StringIO()
    )
    workbook = load_workbook(target)
    assert workbook.sheetnames == [
        "Einleitung",
        "Kennzahlen",
        "Vergleich mit dem Vorjahr",
        "Lücken im Hilfeangebot",
        "Veranstaltungen",
    ]
    values = [c for row in workbook["Kennzahlen"].iter_rows(values_only=True) for c in row if c is not None]
    assert "Fälle nach Kategorie" in values
    assert "Fälle nach Stadt/Gemeinde" in values
    comparison = list(workbook["Vergleich mit dem Vorjahr"].iter_rows(values_only=True))
    assert comparison[0] == ("Kennzahl", "Vergleichsgröße", "2025", "2024")
    # counts are numbers Excel can add up, not text
    assert ("Fälle nach Kategorie", "Fälle nach Kategorie: Summe", 16, 6) in comparison
    counts = [
        c for row in workbook["Kennzahlen"].iter_rows(values_only=True) for c in row[1:] if c is not None
    ]
    assert 16 in counts and "16" not in counts
    # a share is compared as a share, not by the number of cases below it
    risk = next(row for row in comparison if row[0] == "Anteil der Hochrisikofälle")
    assert risk[1] == "Anteil Hochrisikofälle"


def test_annual_report_pdf_has_the_sections(data, tmp_path):
    target = tmp_path / "bericht.pdf"
    call_command(
        "annual_report", "--year", "2025", "--format", "pdf", "--output", str(target), stderr=io.StringIO()
    )
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    for heading in (
        "Jahresbericht 2025",
        "Einleitung",
        "Kennzahlen",
        "Vergleich mit dem Vorjahr",
        "Lücken im Hilfeangebot",
        "Veranstaltungen",
        "Fälle nach Kategorie",
    ):
        assert heading in text, heading


def test_annual_report_from_the_dashboard_runs_as_a_task(
    client, koordination, data, django_capture_on_commit_callbacks
):
    login(client, koordination)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:annual_report"), {"report_year": 2025, "report_format": "json"}
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    # tasks run immediately in tests: the job is done and the page offers the file
    page = client.get(response.url)
    assert job.__class__.objects.get().status == "done"
    assert "herunterladen" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="jahresbericht-2025.json"'
    assert json.loads(download.content)["year"] == 2025


def test_running_job_polls_and_offers_a_refresh_link(client, koordination):
    login(client, koordination)
    job = ReportJob.objects.create(
        requested_by=koordination, year=2025, format="pdf", status="running", progress=40, step="Fälle"
    )
    html = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="40"' in html
    assert f'href="{reverse("reports:job", args=[job.pk])}"' in html  # works without JS
    partial = client.get(reverse("reports:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "<progress" in partial


def test_job_page_says_when_waiting_failed_or_stuck(client, koordination):
    import datetime as dt

    from django.utils import timezone

    login(client, koordination)

    def page(**fields):
        job = ReportJob.objects.create(requested_by=koordination, year=2025, format="pdf", **fields)
        return job, client.get(reverse("reports:job", args=[job.pk])).content.decode()

    _job, html = page(status="pending")
    assert "wartet auf den Start" in html and "wird erstellt:" not in html
    job, html = page(status="failed", error="Interner Fehler beim Erstellen des Berichts.")
    assert "nicht erzeugt werden" in html and str(job.pk) in html and "IT-Betrieb" in html
    job, _html = page(status="running", progress=30, step="Fälle")
    ReportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    html = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "nach mehr als einer Stunde nicht fertig" in html and "db_worker" in html
    assert "hx-trigger" not in html  # no polling for ever


def test_a_failing_report_is_recorded_on_the_job_and_logged(
    client, koordination, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from schutznetz.reports import annual

    def broken(*args, **kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(annual, "build", broken)
    login(client, koordination)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:annual_report"), {"report_year": 2025, "report_format": "pdf"}
        )
    job = ReportJob.objects.get()
    assert job.status == "failed" and job.content is None
    assert str(job.pk) in caplog.text and "Datenbank weg" in caplog.text  # the cause is in the log
    html = client.get(response.url).content.decode()
    assert "Interner Fehler beim Erstellen des Berichts." in html and "Datenbank weg" not in html
    assert str(job.pk) in html and "hx-trigger" not in html
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_every_job_on_the_dashboard_has_its_own_id(client, koordination):
    login(client, koordination)
    for _ in range(3):
        ReportJob.objects.create(requested_by=koordination, year=2025, format="pdf", status="running")
    html = client.get(URL).content.decode()
    assert html.count('id="report-job-') == 3 and 'id="report-job"' not in html


def test_annual_report_is_for_koordination_and_jobs_are_private(client, koordination, data):
    partner = make_user(organisation=data[0], roles=[Role.FACHKRAFT])
    login(client, partner)
    assert (
        client.post(
            reverse("reports:annual_report"), {"report_year": 2025, "report_format": "pdf"}
        ).status_code
        == 403
    )
    other = make_user(organisation=koordination.organisation, roles=[Role.KOORDINATION])
    job = ReportJob.objects.create(requested_by=other, year=2025, format="pdf")
    login(client, koordination)
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_bad_report_year_is_rejected_naming_the_field(client, koordination):
    login(client, koordination)
    response = client.post(reverse("reports:annual_report"), {"report_year": 1800, "report_format": "pdf"})
    assert response.status_code == 400
    assert "Berichtsjahr" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_old_report_files_are_deleted_by_retention(koordination):
    import datetime as dt

    from django.utils import timezone

    from schutznetz.reports import retention

    old = ReportJob.objects.create(requested_by=koordination, year=2024, format="pdf", content=b"%PDF")
    ReportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    fresh = ReportJob.objects.create(requested_by=koordination, year=2025, format="pdf")
    (rule,) = retention.rules()
    assert list(rule.due()) == [ReportJob.objects.get(pk=old.pk)]
    assert rule.apply(rule.due()) == 1
    assert list(ReportJob.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_staff_start_page_links_to_the_statistics(client, orgs):
    login(client, make_user(organisation=orgs[0], roles=[Role.FACHKRAFT]))
    html = client.get(reverse("core:staff_home")).content.decode()
    assert reverse("reports:dashboard") in html


def test_dashboard_in_english(client, koordination):
    login(client, koordination)
    html = client.get("/en/intern/statistik/").content.decode()
    assert "Cases by category" in html and "Create annual report" in html


def test_definitions_are_english_on_english_pages(client, koordination):
    from schutznetz.reports.definitions_en import DEFINITIONS_EN
    from schutznetz.reports.measures import REGISTRY

    assert set(DEFINITIONS_EN) == set(REGISTRY)  # every measure has its English definition
    login(client, koordination)
    html = client.get("/en/intern/statistik/").content.decode()
    assert "Number of cases created in the period" in html
    assert "Anzahl der Fälle, die im Zeitraum angelegt wurden" not in html
    html = client.get(URL).content.decode()
    assert "Anzahl der Fälle, die im Zeitraum angelegt wurden" in html
