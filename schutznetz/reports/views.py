"""Thin views: parse the filter, ask queries for what the user may see, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from schutznetz.core.exports import download as file_download
from schutznetz.reports import annual, disclosure, queries, services
from schutznetz.reports.forms import AnnualReportForm, StatisticsFilterForm
from schutznetz.reports.measures import Period
from schutznetz.reports.models import ReportJob


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def _dashboard_context(request, report_form=None):
    user = request.user
    _require(user, "reports.view_statistics")
    form = StatisticsFilterForm(request.GET or None, organisations=queries.scope_choices(user))
    year, quarter, organisation = timezone.localdate().year, None, None
    if form.is_bound and form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        organisation = form.cleaned_data["organisation"]
    period = Period(year, quarter)
    scope = queries.scope_for(user, organisation)
    can_report = user.has_perm("reports.create_annual_report")
    return {
        "form": form,
        "period": period,
        "scope": scope,
        "measures": queries.statistics(user, period, organisation),
        "min_cell": disclosure.min_cell(),
        "can_report": can_report,
        "report_form": report_form or AnnualReportForm(),
        "jobs": ReportJob.objects.filter(requested_by=user).defer("content")[:3] if can_report else [],
    }


@login_required
@require_GET
def dashboard(request):
    return render(request, "reports/dashboard.html", _dashboard_context(request))


@login_required
@require_POST
def annual_report(request):
    _require(request.user, "reports.create_annual_report")
    form = AnnualReportForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", _dashboard_context(request, form), status=400)
    job = services.start_annual_report(
        request.user, year=form.cleaned_data["report_year"], fmt=form.cleaned_data["report_format"]
    )
    return redirect("reports:job", job_id=job.pk)


def _own_job(request, job_id):
    _require(request.user, "reports.create_annual_report")
    job = ReportJob.objects.filter(pk=job_id, requested_by=request.user).defer("content").first()
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def job(request, job_id):
    job = _own_job(request, job_id)
    template = "reports/includes/job.html" if request.htmx else "reports/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def download(request, job_id):
    job = _own_job(request, job_id)
    if job.status != "done":
        raise Http404
    content = ReportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    return file_download(bytes(content), job.filename, annual.content_type(job.format))
