"""Thin views: parse, call a query or a service, render."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schutznetz.accounts.models import Organisation
from schutznetz.core.access import get_scoped_or_404
from schutznetz.core.decorators import public_page
from schutznetz.core.pdf import pdf_response
from schutznetz.network import forms, ics, notifications, queries, services
from schutznetz.network.feeds import AtomNewsFeed, NewsFeed
from schutznetz.network.models import AgreementVersion, Attendance, Material, Meeting, Task, Topic
from schutznetz.network.text import diff_texts


def _perm_required(perm):
    def decorate(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


member_required = _perm_required("network.view_internal")
koordination_required = _perm_required("network.manage")


def _form_errors(form, exc):
    """Put a service's ValidationError onto the form, by field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post_messages(request, exc):
    for message in exc.messages:
        messages.error(request, message)


# --- Public pages ---------------------------------------------------------------------------


@public_page
def home(request):
    form = forms.MaterialFilterForm(request.GET or None)
    materials = queries.materials_for(None).filter(visibility=Material.Visibility.PUBLIC)
    if form.is_valid():
        if form.cleaned_data["topic"]:
            materials = materials.filter(topics__topic=form.cleaned_data["topic"])
        if form.cleaned_data["audience"]:
            materials = materials.filter(audience=form.cleaned_data["audience"])
    return render(
        request,
        "network/public/home.html",
        {
            "partner_groups": queries.public_partners(),
            "working_groups": queries.public_working_groups(),
            "agreement": queries.current_agreement(),
            "materials": materials,
            "filter_form": form,
            "news": queries.published_news()[:3],
        },
    )


@public_page
def agreement(request):
    version = queries.current_agreement()
    return render(
        request,
        "network/public/agreement.html",
        {
            "version": version,
            "signatories": queries.signatories(version) if version else [],
            "former_signatories": queries.inactive_signatories(version) if version else [],
        },
    )


@public_page
def agreement_pdf(request):
    version = queries.current_agreement()
    if version is None:
        raise Http404
    return pdf_response(
        "network/pdf/agreement.html",
        {
            "version": version,
            "signatories": queries.signatories(version),
            "former_signatories": queries.inactive_signatories(version),
            "network_name": _network_name(),
        },
        f"kooperationsvereinbarung-fassung-{version.number}.pdf",
    )


def _network_name():
    from django.conf import settings

    return settings.SCHUTZNETZ_NETWORK_NAME


NEWS_PER_PAGE = 20


@public_page
def news_list(request):
    # get_page: a missing, odd or too large ?seite= gives the first or last page, never an error.
    page = Paginator(queries.published_news(), NEWS_PER_PAGE).get_page(request.GET.get("seite"))
    return render(request, "network/public/news_list.html", {"items": page.object_list, "page": page})


@public_page
def news_detail(request, slug):
    item = get_object_or_404(queries.published_news(), slug=slug)
    return render(request, "network/public/news_detail.html", {"item": item})


rss_feed = public_page(no_store=False)(NewsFeed())
atom_feed = public_page(no_store=False)(AtomNewsFeed())


def _stream(name, content_type, filename=None, attachment=False):
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    if not attachment:
        response["Content-Disposition"] = f'inline; filename="{filename or "bild.jpg"}"'
    return response


@public_page
def photo(request, photo_id, width):
    rendition = queries.rendition_for(request.user, photo_id, width)
    if rendition is None:
        raise Http404
    return _stream(rendition.file.name, "image/jpeg", f"foto-{photo_id}-{width}.jpg")


@public_page
def material_download(request, slug, number=None):
    version = queries.material_version_for(request.user, slug, number)
    if version is None:
        raise Http404
    response = _stream(version.file.name, version.content_type, version.filename, attachment=True)
    response["Cache-Control"] = "no-store"
    return response


# --- Staff: overview and partners ------------------------------------------------------------


@member_required
def staff_home(request):
    version = queries.current_agreement()
    draft = queries.versions_for(request.user).filter(status=AgreementVersion.Status.DRAFT).first()
    return render(
        request,
        "network/staff/home.html",
        {
            "version": version,
            "draft": draft,
            "status": queries.confirmation_status(version) if version else None,
            "meetings": queries.upcoming_meetings(request.user),
            "my_tasks": queries.open_tasks_of_organisation(request.user),
            "task_status_choices": Task.Status.choices,
            "may_manage": request.user.has_perm("network.manage"),
        },
    )


@member_required
def partner_list(request):
    editable = set(queries.editable_organisations(request.user).values_list("pk", flat=True))
    return render(
        request,
        "network/staff/partner_list.html",
        {
            "organisations": queries.partner_profiles_for(request.user),
            "editable": editable,
            "accessions": queries.accessions_for(request.user),
            "working_groups": queries.working_groups_for(request.user),
            "may_manage": request.user.has_perm("network.manage"),
        },
    )


@login_required
def partner_edit(request, slug):
    organisation = get_scoped_or_404(queries.editable_organisations(request.user), slug=slug)
    profile = getattr(organisation, "partner_profile", None)
    form = forms.PartnerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_partner_profile(
                request.user, organisation, **{f: form.cleaned_data[f] for f in services.PROFILE_FIELDS}
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Das Partnerprofil wurde gespeichert."))
            return redirect("network:partner_list")
    return render(
        request,
        "network/staff/form_page.html",
        {
            "form": form,
            "title": _("Partnerprofil: %(org)s") % {"org": organisation},
            "back": "network:partner_list",
        },
    )


@koordination_required
def working_group_edit(request, slug=None):
    group = get_object_or_404(queries.working_groups_for(request.user), slug=slug) if slug else None
    form = forms.WorkingGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_working_group(
            request.user,
            name=data["name"],
            description=data["description"],
            lead_organisation=data["lead_organisation"],
            organisations=data["organisations"],
            is_active=data["is_active"],
            group=group,
        )
        messages.success(request, _("Der Arbeitskreis wurde gespeichert."))
        return redirect("network:partner_list")
    title = _("Arbeitskreis bearbeiten") if group else _("Neuer Arbeitskreis")
    return render(
        request,
        "network/staff/form_page.html",
        {"form": form, "title": title, "back": "network:partner_list"},
    )


# --- Staff: agreement ------------------------------------------------------------------------


@member_required
def version_list(request):
    versions = queries.versions_for(request.user)
    return render(
        request,
        "network/staff/version_list.html",
        {
            "versions": versions,
            "diff_form": forms.DiffForm(versions=versions),
            "accessions": queries.accessions_for(request.user),
            "may_manage": request.user.has_perm("network.manage"),
        },
    )


@member_required
def version_detail(request, number):
    version = get_scoped_or_404(queries.versions_for(request.user), number=number)
    may_manage = request.user.has_perm("network.manage")
    status = None if version.is_draft else queries.confirmation_status(version)
    confirm_form = None
    # Confirmations are asked for the version in force, not for one that has been superseded.
    if may_manage and version.status == AgreementVersion.Status.PUBLISHED and status and status["pending"]:
        confirm_form = forms.SignatureForm(
            organisations=Organisation.objects.filter(pk__in=[o.pk for o in status["pending"]]),
            prefix="confirm",
        )
    return render(
        request,
        "network/staff/version_detail.html",
        {
            "version": version,
            "status": status,
            "confirm_form": confirm_form,
            "publish_form": forms.PublishVersionForm(prefix="publish")
            if may_manage and version.is_draft
            else None,
            "may_manage": may_manage,
        },
    )


@koordination_required
def version_edit(request, number=None):
    version = get_scoped_or_404(queries.versions_for(request.user), number=number) if number else None
    if version is not None and not version.is_draft:
        messages.error(
            request,
            _("Eine veröffentlichte Fassung kann nicht mehr geändert werden. Legen Sie eine neue an."),
        )
        return redirect("network:version_detail", number=version.number)
    if version is None and request.method != "POST":
        # Only one draft at a time: lead straight to it instead of to a form that cannot be saved.
        draft = queries.versions_for(request.user).filter(status=AgreementVersion.Status.DRAFT).first()
        if draft is not None:
            messages.info(
                request,
                _("Es gibt bereits einen Entwurf (Fassung %(number)s). Bitte bearbeiten Sie diesen.")
                % {"number": draft.number},
            )
            return redirect("network:version_edit", number=draft.number)
    initial = {}
    if version is None:
        latest = queries.versions_for(request.user).order_by("-number").first()
        if latest is not None:
            initial = {"title": latest.title, "body": latest.body}
    form = forms.AgreementVersionForm(request.POST or None, instance=version, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("title", "body", "change_summary")}
        try:
            if version is None:
                version = services.create_version(request.user, **data)
            else:
                services.update_draft(request.user, version, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Der Entwurf wurde gespeichert."))
            return redirect("network:version_detail", number=version.number)
    title = _("Entwurf bearbeiten") if version else _("Neue Fassung entwerfen")
    back_url = reverse("network:version_detail", args=[version.number]) if version else None
    return render(
        request,
        "network/staff/form_page.html",
        {"form": form, "title": title, "back": "network:version_list", "back_url": back_url},
    )


@koordination_required
@require_POST
def version_publish(request, number):
    version = get_scoped_or_404(queries.versions_for(request.user), number=number)
    form = forms.PublishVersionForm(request.POST, prefix="publish")
    if not form.is_valid():
        messages.error(request, _("gültig ab: Bitte geben Sie ein gültiges Datum an."))
        return redirect("network:version_detail", number=number)
    try:
        services.publish_version(request.user, version, form.cleaned_data["effective_on"])
    except ValidationError as exc:
        _post_messages(request, exc)
    else:
        messages.success(request, _("Die Fassung ist in Kraft. Die Partner werden um Bestätigung gebeten."))
    return redirect("network:version_detail", number=number)


@koordination_required
@require_POST
def version_confirm(request, number):
    version = get_scoped_or_404(queries.versions_for(request.user), number=number)
    form = forms.SignatureForm(request.POST, prefix="confirm")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_confirmation(
                request.user,
                data["organisation"],
                version,
                signatory_name=data["signatory_name"],
                signatory_function=data["signatory_function"],
                confirmed_on=data["date"],
            )
        except ValidationError as exc:
            _post_messages(request, exc)
        else:
            messages.success(request, _("Die Bestätigung wurde erfasst."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("network:version_detail", number=number)


@member_required
def version_diff(request):
    versions = queries.versions_for(request.user)
    form = forms.DiffForm(request.GET or None, versions=versions)
    diff = None
    if form.is_valid():
        diff = diff_texts(form.cleaned_data["old"].body, form.cleaned_data["new"].body)
    return render(
        request,
        "network/staff/version_diff.html",
        {
            "form": form,
            "diff": diff,
            "old": form.cleaned_data.get("old") if form.is_bound and form.is_valid() else None,
            "new": form.cleaned_data.get("new") if form.is_bound and form.is_valid() else None,
        },
    )


@koordination_required
def accession_new(request):
    form = forms.AccessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_accession(
                request.user,
                data["organisation"],
                data["version"],
                signatory_name=data["signatory_name"],
                signatory_function=data["signatory_function"],
                signed_on=data["date"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Der Beitritt wurde erfasst."))
            return redirect("network:version_list")
    return render(
        request,
        "network/staff/form_page.html",
        {"form": form, "title": _("Beitritt erfassen"), "back": "network:version_list"},
    )


@koordination_required
def accession_withdraw(request, accession_id):
    accession = get_scoped_or_404(queries.accessions_for(request.user), pk=accession_id)
    form = forms.WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_withdrawal(
                request.user,
                accession,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Der Austritt wurde erfasst."))
            return redirect("network:version_list")
    title = _("Austritt erfassen: %(org)s") % {"org": accession.organisation}
    return render(
        request,
        "network/staff/form_page.html",
        {"form": form, "title": title, "back": "network:version_list"},
    )


# --- Staff: meetings -------------------------------------------------------------------------


@member_required
def meeting_list(request):
    return render(
        request,
        "network/staff/meeting_list.html",
        {
            "meetings": queries.meetings_for(request.user),
            "may_manage": request.user.has_perm("network.manage"),
        },
    )


@koordination_required
def meeting_edit(request, meeting_id=None):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id) if meeting_id else None
    if meeting is not None and meeting.is_cancelled:
        messages.error(request, _("Die Sitzung ist abgesagt und kann nicht mehr geändert werden."))
        return redirect(meeting)
    initial = {}
    if meeting is not None:
        initial = {
            **{field: getattr(meeting, field) for field in services.MEETING_FIELDS},
            "invited_organisations": [a.organisation_id for a in meeting.attendances.all()],
        }
    was_invited = meeting is not None and meeting.status == Meeting.Status.INVITED
    form = forms.MeetingForm(request.POST or None, initial=initial, invited=was_invited)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invited = list(data.pop("invited_organisations")) or None
        notify = data.pop("notify", False)
        try:
            meeting = services.save_meeting(
                request.user, meeting, invited_organisations=invited, notify=notify, **data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Die Sitzung wurde gespeichert."))
            if getattr(meeting, "update_mailed", False):
                messages.info(
                    request,
                    _("Die eingeladenen Partner erhalten die Änderung mit einer neuen Kalenderdatei."),
                )
            return redirect(meeting)
    title = _("Sitzung bearbeiten") if meeting else _("Neue Sitzung")
    return render(
        request,
        "network/staff/form_page.html",
        {
            "form": form,
            "title": title,
            "back": "network:meeting_list",
            "back_url": meeting.get_absolute_url() if meeting else None,
        },
    )


@koordination_required
def meeting_cancel(request, meeting_id):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id)
    if not meeting.is_cancellable:
        if meeting.is_cancelled:
            messages.error(request, _("Die Sitzung ist bereits abgesagt."))
        else:
            messages.error(request, _("Eine durchgeführte Sitzung kann nicht abgesagt werden."))
        return redirect(meeting)
    form = forms.CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(request.user, meeting, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Die Sitzung ist abgesagt."))
            if meeting.invited_at is not None:
                messages.info(
                    request,
                    _(
                        "Die eingeladenen Partner erhalten die Absage mit einer Kalenderdatei, die den Termin entfernt."
                    ),
                )
            return redirect(meeting)
    return render(
        request,
        "network/staff/meeting_cancel.html",
        {"meeting": meeting, "form": form, "recipients": len(notifications.recipients(meeting))},
    )


@member_required
def meeting_detail(request, meeting_id):
    meeting = queries.meeting_detail(request.user, meeting_id)
    may_manage = request.user.has_perm("network.manage")
    return render(
        request,
        "network/staff/meeting_detail.html",
        {
            "meeting": meeting,
            "carried": queries.carried_over_tasks(meeting),
            "may_manage": may_manage,
            # A cancelled meeting is a record of what was planned: nothing on it changes any more.
            "may_edit": may_manage and not meeting.is_cancelled,
            "may_cancel": may_manage and meeting.is_cancellable,
            "agenda_form": forms.AgendaItemForm(prefix="agenda") if may_manage else None,
            "agenda_open": may_manage and meeting.minutes_final_at is None and not meeting.is_cancelled,
            "status_choices": Attendance.Status.choices,
            "task_status_choices": Task.Status.choices,
        },
    )


@koordination_required
@require_POST
def agenda_add(request, meeting_id):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id)
    form = forms.AgendaItemForm(request.POST, prefix="agenda")
    if form.is_valid():
        try:
            services.add_agenda_item(request.user, meeting, **form.cleaned_data)
        except ValidationError as exc:
            _post_messages(request, exc)
        else:
            messages.success(request, _("Der Tagesordnungspunkt wurde ergänzt."))
    else:
        messages.error(request, _("Tagesordnungspunkt: Bitte geben Sie einen Titel ein."))
    return redirect(meeting)


@koordination_required
@require_POST
def agenda_remove(request, meeting_id, item_id):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id)
    item = get_object_or_404(meeting.agenda_items, pk=item_id)
    try:
        services.remove_agenda_item(request.user, item)
    except ValidationError as exc:
        _post_messages(request, exc)
    else:
        messages.success(request, _("Der Tagesordnungspunkt wurde entfernt."))
    return redirect(meeting)


@koordination_required
@require_POST
def meeting_invite(request, meeting_id):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id)
    try:
        services.send_invitation(request.user, meeting)
    except ValidationError as exc:
        _post_messages(request, exc)
    else:
        messages.success(
            request, _("Die Einladung wird an die Ansprechstellen der eingeladenen Partner verschickt.")
        )
    return redirect(meeting)


@koordination_required
@require_POST
def attendance_save(request, meeting_id):
    meeting = get_scoped_or_404(queries.meetings_for(request.user), pk=meeting_id)
    rows = {}
    for attendance in meeting.attendances.all():
        prefix = f"att{attendance.organisation_id}"
        status = request.POST.get(f"{prefix}-status")
        if status is not None:
            rows[attendance.organisation_id] = (status, request.POST.get(f"{prefix}-represented_by", ""))
    try:
        services.set_attendances(request.user, meeting, rows)
    except ValidationError as exc:
        _post_messages(request, exc)
    else:
        messages.success(request, _("Die Teilnahme wurde gespeichert."))
    return redirect(meeting)


@member_required
def minutes(request, meeting_id):
    meeting = queries.meeting_detail(request.user, meeting_id)
    may_manage = request.user.has_perm("network.manage")
    minutes_form = forms.MinutesForm(prefix="minutes", initial={"minutes": meeting.minutes})
    decision_form = forms.DecisionForm(prefix="decision", meeting=meeting)
    task_form = forms.TaskForm(prefix="task", meeting=meeting)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "minutes":
                minutes_form = forms.MinutesForm(request.POST, prefix="minutes")
                if minutes_form.is_valid():
                    services.save_minutes(request.user, meeting, minutes=minutes_form.cleaned_data["minutes"])
                    messages.success(request, _("Das Protokoll wurde gespeichert."))
                    return redirect("network:minutes", meeting_id=meeting.pk)
            elif action == "decision":
                decision_form = forms.DecisionForm(request.POST, prefix="decision", meeting=meeting)
                if decision_form.is_valid():
                    services.add_decision(request.user, meeting, **decision_form.cleaned_data)
                    messages.success(request, _("Der Beschluss wurde ergänzt."))
                    return redirect("network:minutes", meeting_id=meeting.pk)
            elif action == "task":
                task_form = forms.TaskForm(request.POST, prefix="task", meeting=meeting)
                if task_form.is_valid():
                    services.add_task(request.user, meeting, **task_form.cleaned_data)
                    messages.success(request, _("Die Aufgabe wurde ergänzt."))
                    return redirect("network:minutes", meeting_id=meeting.pk)
            elif action == "finalise":
                services.finalise_minutes(request.user, meeting)
                messages.success(request, _("Das Protokoll ist abgeschlossen."))
                return redirect("network:minutes", meeting_id=meeting.pk)
        except ValidationError as exc:
            target = {"decision": decision_form, "task": task_form}.get(action, minutes_form)
            # Once the minutes are final their forms are not shown: say why on the page instead.
            if target.is_bound and meeting.minutes_final_at is None and not meeting.is_cancelled:
                _form_errors(target, exc)
            else:
                _post_messages(request, exc)
                return redirect("network:minutes", meeting_id=meeting.pk)
    return render(
        request,
        "network/staff/minutes.html",
        {
            "meeting": meeting,
            "may_manage": may_manage and meeting.minutes_final_at is None and not meeting.is_cancelled,
            "minutes_form": minutes_form,
            "decision_form": decision_form,
            "task_form": task_form,
            "carried": queries.carried_over_tasks(meeting),
            "task_status_choices": Task.Status.choices,
        },
    )


@login_required
@require_POST
def task_status(request, task_id):
    task = get_scoped_or_404(queries.tasks_for(request.user), pk=task_id)
    # Permission before validation: someone else's task answers 403 whatever was posted.
    if not request.user.has_perm("network.update_task", task):
        raise PermissionDenied
    form = forms.TaskStatusForm(request.POST)
    if form.is_valid():
        services.set_task_status(request.user, task, form.cleaned_data["status"])
        messages.success(request, _("Der Status der Aufgabe wurde gespeichert."))
    else:
        messages.error(request, _("Status: Bitte wählen Sie einen gültigen Status."))
    next_url = request.POST.get("next", "")
    # Django's own check: "/\\evil.example/" passes a startswith("/") test, and browsers read it as
    # "//evil.example/".
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(task.meeting)


@member_required
def minutes_pdf(request, meeting_id):
    meeting = queries.meeting_detail(request.user, meeting_id)
    return pdf_response(
        "network/pdf/minutes.html",
        {"meeting": meeting, "carried": queries.carried_over_tasks(meeting), "network_name": _network_name()},
        f"protokoll-{meeting.starts_at:%Y-%m-%d}.pdf",
    )


def _ics_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@member_required
def meeting_ics(request, meeting_id):
    meeting = get_scoped_or_404(
        queries.meetings_for(request.user).prefetch_related("agenda_items"), pk=meeting_id
    )
    return _ics_response(ics.meetings_ics([meeting]), f"sitzung-{meeting.starts_at:%Y-%m-%d}.ics")


@member_required
def meetings_ics(request):
    meetings = queries.meetings_for(request.user).prefetch_related("agenda_items").order_by("starts_at")
    return _ics_response(ics.meetings_ics(meetings), "netzwerk-sitzungen.ics")


# --- Staff: news -----------------------------------------------------------------------------


@koordination_required
def news_admin(request):
    return render(request, "network/staff/news_list.html", {"items": queries.news_for(request.user)})


@koordination_required
def news_edit(request, news_id=None):
    item = get_scoped_or_404(queries.news_for(request.user), pk=news_id) if news_id else None
    form = forms.NewsForm(request.POST or None, instance=item)
    photo_form = forms.PhotoForm(prefix="photo")
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.NEWS_FIELDS}
        item = services.save_news(request.user, item, **data)
        messages.success(request, _("Die Meldung wurde gespeichert."))
        return redirect("network:news_edit", news_id=item.pk)
    return render(
        request, "network/staff/news_edit.html", {"form": form, "item": item, "photo_form": photo_form}
    )


@koordination_required
@require_POST
def photo_add(request, news_id):
    item = get_scoped_or_404(queries.news_for(request.user), pk=news_id)
    photo_form = forms.PhotoForm(request.POST, request.FILES, prefix="photo")
    if photo_form.is_valid():
        data = dict(photo_form.cleaned_data)
        upload = data.pop("image")
        try:
            services.add_photo(request.user, item, upload, **data)
        except ValidationError as exc:
            _form_errors(photo_form, exc)
        else:
            messages.success(request, _("Das Foto wurde hinzugefügt."))
            return redirect("network:news_edit", news_id=item.pk)
    form = forms.NewsForm(instance=item)
    return render(
        request,
        "network/staff/news_edit.html",
        {"form": form, "item": item, "photo_form": photo_form},
        status=400,
    )


@koordination_required
def photo_edit(request, photo_id):
    photo_obj = get_scoped_or_404(queries.photos_for(request.user), pk=photo_id)
    form = forms.PhotoEditForm(
        request.POST or None,
        initial={
            "alt_text": photo_obj.alt_text,
            "caption": photo_obj.caption,
            "credit": photo_obj.credit,
            "usage_terms": photo_obj.usage_terms,
        },
    )
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.delete_photo(request.user, photo_obj)
            messages.success(request, _("Das Foto wurde gelöscht."))
            return redirect("network:news_edit", news_id=photo_obj.news_id)
        if form.is_valid():
            try:
                services.update_photo(request.user, photo_obj, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Die Angaben zum Foto wurden gespeichert."))
                return redirect("network:news_edit", news_id=photo_obj.news_id)
    return render(request, "network/staff/photo_edit.html", {"form": form, "photo": photo_obj})


@koordination_required
@require_POST
def news_publish(request, news_id):
    item = get_scoped_or_404(queries.news_for(request.user), pk=news_id)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish_news(request.user, item)
            messages.success(request, _("Die Meldung ist nicht mehr öffentlich."))
        else:
            services.publish_news(request.user, item)
            messages.success(request, _("Die Meldung ist veröffentlicht."))
    except ValidationError as exc:
        _post_messages(request, exc)
    return redirect("network:news_edit", news_id=item.pk)


# --- Staff: materials ------------------------------------------------------------------------


@member_required
def material_list(request):
    form = forms.MaterialFilterForm(request.GET or None)
    materials = queries.all_materials_for(request.user)
    if form.is_valid():
        if form.cleaned_data["topic"]:
            materials = materials.filter(topics__topic=form.cleaned_data["topic"])
        if form.cleaned_data["audience"]:
            materials = materials.filter(audience=form.cleaned_data["audience"])
    return render(
        request,
        "network/staff/material_list.html",
        {"materials": materials, "filter_form": form, "may_manage": request.user.has_perm("network.manage")},
    )


@koordination_required
def material_edit(request, slug=None):
    material = get_object_or_404(queries.all_materials_for(request.user), slug=slug) if slug else None
    initial = {}
    if material is not None:
        initial = {
            "title": material.title,
            "description": material.description,
            "kind": material.kind,
            "audience": material.audience,
            "visibility": material.visibility,
            "topics": [t.topic for t in material.topics.all()],
        }
    form = forms.MaterialForm(request.POST or None, initial=initial, prefix="material")
    version_form = forms.MaterialVersionForm(prefix="version")
    if request.method == "POST":
        if request.POST.get("action") == "version" and material is not None:
            version_form = forms.MaterialVersionForm(request.POST, request.FILES, prefix="version")
            form = forms.MaterialForm(initial=initial, prefix="material")
            if version_form.is_valid():
                try:
                    services.add_material_version(
                        request.user,
                        material,
                        version_form.cleaned_data["file"],
                        change_note=version_form.cleaned_data["change_note"],
                    )
                except ValidationError as exc:
                    _form_errors(version_form, exc)
                else:
                    messages.success(request, _("Die neue Version wurde hochgeladen."))
                    return redirect("network:material_edit", slug=material.slug)
        elif form.is_valid():
            try:
                material = services.save_material(request.user, material, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Das Material wurde gespeichert."))
                return redirect("network:material_edit", slug=material.slug)
    return render(
        request,
        "network/staff/material_edit.html",
        {"form": form, "version_form": version_form, "material": material, "topics": Topic},
    )
