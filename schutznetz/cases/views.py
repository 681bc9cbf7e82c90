"""Thin views: parse, call a query or a service, render. Forbidden cases answer 404."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schutznetz.accounts.models import Organisation, Role, User
from schutznetz.cases import forms, instruments, list_rows, queries, services
from schutznetz.cases.models import (
    REVOKE_REASON_MAX_LENGTH,
    AgendaItem,
    CaseStatus,
    DeadlineKind,
    LegalBasis,
    ReferralStatus,
    Section,
)
from schutznetz.core import page_cache
from schutznetz.core.pdf import pdf_response


def _apply_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _attempt(form, call):
    """Run a service; its ValidationError lands on the form (naming the field), PermissionDenied stays."""
    try:
        return True, call()
    except ValidationError as exc:
        _apply_errors(form, exc)
        return False, None


def _form_page(request, form, title, submit, back, intro="", status=200, extra=None):
    context = {"form": form, "title": title, "submit": submit, "back": back, "intro": intro, **(extra or {})}
    return render(request, "cases/form.html", context, status=400 if form.errors else status)


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


# Ids from the query string or a form: digits only and small enough for the database (a bigint);
# anything else is ignored instead of ending in a database error.
_MAX_ID = 2**63 - 1


def _digits(value):
    """``value`` as a positive int, or None: ASCII digits only, at most 19 of them (no "²", no 5,000
    digits, which ``int()`` refuses)."""
    if value.isascii() and value.isdigit() and len(value) <= 19:
        return int(value)
    return None


def _ids(values):
    return [n for n in map(_digits, values) if n is not None and 0 < n <= _MAX_ID]


def _require_section(case, section):
    """A form for a section the user's organisation cannot see is refused before anyone types into it."""
    if not case.access.sees(section):
        raise PermissionDenied


def _short_date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _css_string(text):
    """``text`` for a CSS string in double quotes (the PDF page stamp): every character but letters,
    digits, spaces and harmless punctuation becomes a CSS escape (``\\00002d ``; the space ends it), so
    quotes, backslashes and ``</style>`` cannot break out, and "Anna-Lena" is printed as it is."""
    return mark_safe("".join(c if c.isalnum() or c in " .,:;–" else f"\\{ord(c):06x} " for c in str(text)))


# --- case list, counts, detail -----------------------------------------------------------------------


@login_required
@page_cache.per_sign_in
def case_list(request):
    _require(request, "cases.view_case_list")
    hide_names = request.GET.get("namen") == "aus"
    show_closed = request.GET.get("status") == "abgeschlossen"
    status = CaseStatus.CLOSED if show_closed else CaseStatus.OPEN
    page = queries.case_list_page(request.user, request.GET.get("seite"), status=status)
    cases = queries.with_list_details(request.user, page.cases, hide_names=hide_names)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": list_rows.rows_html(cases, hide_names),
            "hide_names": hide_names,
            "show_closed": show_closed,
        },
    )


@login_required
def counts(request):
    data = queries.case_counts(request.user)
    if data is None:
        raise PermissionDenied
    return render(request, "cases/counts.html", {"counts": data})


@login_required
def case_detail(request, case_id):
    case = queries.access_case(request.user, case_id)
    user = request.user
    context = {
        "case": case,
        "access": case.access,
        "persons": queries.persons_of(user, case),
        "risk_assessments": queries.risk_assessments_of(user, case)[:5],
        "chronology": queries.chronology_of(user, case),
        "notes": queries.notes_of(user, case),
        "actions": queries.actions_of(user, case),
        # Actions whose own page the user may open (the chair sees the plan here, but opens no action).
        "openable_action_ids": set(queries.actions_for(user).filter(case=case).values_list("pk", flat=True)),
        "deadlines": queries.deadlines_of(user, case),
        "participations": queries.participations_of(user, case),
        "legal_bases": queries.legal_bases_of(user, case),
        "shares": queries.shares_of(user, case),
        "share_revocations": queries.share_revocations_of(user, case),
        "can_manage": user.has_perm("cases.manage_case", case),
        "can_contribute": user.has_perm("cases.contribute", case),
        "can_report": user.has_perm("cases.access_report", case),
        "instruments": instruments.load_instruments().values(),
        "sections": Section,
        "revoke_reason_max_length": REVOKE_REASON_MAX_LENGTH,
        "chronology_form": forms.ChronologyForm(),
        "note_form": forms.NoteForm(),
    }
    return render(request, "cases/case_detail.html", context)


def _notice_messages(request, notices):
    for notice in notices:
        when = (
            notice.last_conferenced_on.strftime("%d.%m.%Y") if notice.last_conferenced_on else _("noch nicht")
        )
        text = _(
            "Wiederholungsfall erkannt: Fall %(number)s, zuletzt in einer Fallkonferenz: %(when)s, "
            "Fallverantwortung: %(lead)s."
        ) % {"number": notice.earlier_case_number, "when": when, "lead": notice.lead_organisation}
        if notice.earlier_case_id is None:
            text += " " + _("Die Moderation der Fallkonferenz wurde benachrichtigt.")
        messages.warning(request, text)


@login_required
def case_create(request):
    _require(request, "cases.create_case")
    form = forms.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def call():
            case, notices = services.create_case(
                request.user, category=data["category"], municipality=data["municipality"],
                persons=[form.person_data()],
            )  # fmt: skip
            if data["propose"]:
                services.propose_for_conference(request.user, case)
            return case, notices

        ok, result = _attempt(form, call)
        if ok:
            case, notices = result
            messages.success(request, _("Der Fall %(number)s wurde angelegt.") % {"number": case.number})
            if data["propose"]:
                messages.success(request, _("Der Fall wurde für die nächste Fallkonferenz vorgeschlagen."))
            _notice_messages(request, notices)
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Neuer Fall"), _("Fall anlegen"), reverse("cases:list"),
                      _("Erfassen Sie nur, was die Fallkonferenz braucht. Namen, Geburtsdaten, Anschrift und "
                        "Telefon werden verschlüsselt gespeichert."))  # fmt: skip


def _managed_case(request, case_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.manage_case", case)
    return case


@login_required
def case_correct(request, case_id):
    """Correct the case's category and municipality, with a reason (those who manage an open case)."""
    case = _managed_case(request, case_id)
    form = forms.CaseCorrectionForm.for_case(case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, fields = _attempt(form, lambda: services.correct_case(
            request.user, case, category=d["category"], municipality=d["municipality"], reason=d["reason"]))  # fmt: skip
        if ok:
            if fields:
                messages.success(request, _("Die Angaben zum Fall wurden korrigiert."))
            else:
                messages.info(request, _("Es wurde nichts geändert."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Fall %(number)s korrigieren") % {"number": case.number}, _("Korrigieren"),
        reverse("cases:detail", args=[case.pk]),
        _("Korrigieren Sie Kategorie oder Stadt/Gemeinde, wenn sie beim Anlegen falsch erfasst wurden. Die "
          "Statistik zählt den Fall danach unter den korrigierten Angaben."),
    )  # fmt: skip


@login_required
def person_add(request, case_id):
    case = _managed_case(request, case_id)
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, result = _attempt(form, lambda: services.add_person(request.user, case, **form.person_data()))
        if ok:
            _notice_messages(request, result[1])
            messages.success(request, _("Die Person wurde hinzugefügt."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Person hinzufügen"), _("Hinzufügen"), reverse("cases:detail", args=[case.pk])
    )


@login_required
def person_edit(request, case_id, person_id):
    case = _managed_case(request, case_id)
    person = queries.person_of(request.user, case, person_id)
    form = forms.PersonEditForm.for_person(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, result = _attempt(
            form, lambda: services.update_person(request.user, person, **form.person_data())
        )
        if ok:
            _notice_messages(request, result[1])
            messages.success(request, _("Die Angaben zur Person wurden gespeichert."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Person bearbeiten: %(role)s") % {"role": person.get_role_display()}, _("Speichern"),
        reverse("cases:detail", args=[case.pk]),
        _("Ändern sich Name oder Geburtsdatum, wird erneut nach Wiederholungsfällen gesucht."),
    )  # fmt: skip


@login_required
def person_remove(request, case_id, person_id):
    case = _managed_case(request, case_id)
    person = queries.person_of(request.user, case, person_id)
    form = forms.PersonRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _r = _attempt(
            form, lambda: services.remove_person(request.user, person, form.cleaned_data["reason"])
        )
        if ok:
            messages.success(request, _("Die Person wurde aus dem Fall entfernt."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        # The title (browser history, tabs) names the role only, never the person.
        request, form, _("Person entfernen: %(role)s") % {"role": person.get_role_display()},
        _("Endgültig entfernen"), reverse("cases:detail", args=[case.pk]),
        _("Nur für irrtümlich erfasste Personen. Alle Angaben zu %(name)s werden endgültig gelöscht; "
          "der Grund wird im Audit-Protokoll vermerkt.") % {"name": person.display_name},
    )  # fmt: skip


@login_required
def legal_basis_add(request, case_id):
    case = _managed_case(request, case_id)
    form = forms.LegalBasisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _basis = _attempt(
            form,
            lambda: services.record_legal_basis(
                request.user, case, d["organisation"], d["kind"], consent_date=d["consent_date"],
                consent_scope=d["consent_scope"], consent_given_by=d["consent_given_by"],
                justification=d["justification"],
            ),
        )  # fmt: skip
        if ok:
            messages.success(request, _("Die Rechtsgrundlage wurde erfasst."))
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Rechtsgrundlage erfassen"), _("Erfassen"),
                      reverse("cases:detail", args=[case.pk]),
                      _("Vor jeder Weitergabe an eine Organisation muss eine Rechtsgrundlage erfasst sein."))  # fmt: skip


@login_required
@require_POST
def legal_basis_withdraw(request, case_id, basis_id):
    case = _managed_case(request, case_id)
    basis = get_object_or_404(LegalBasis, pk=basis_id, case=case)
    try:
        services.withdraw_legal_basis(request.user, basis)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Widerruf erfasst. Es wird nichts mehr geteilt; bereits rechtmäßig Geteiltes bleibt bestehen."),
        )
    return redirect("cases:detail", case.pk)


@login_required
def invite(request, case_id):
    case = _managed_case(request, case_id)
    return _organisation_step(
        request, case, forms.InviteForm(request.POST or None), services.invite_organisation,
        _("%(org)s ist jetzt am Fall beteiligt. Es ist noch kein Abschnitt freigegeben."),
        _("Organisation einladen"), _("Einladen"),
        _("Eine eingeladene Organisation ist am Fall beteiligt, etwa für die Fallkonferenz. Sie sieht nur die "
          "Kopfdaten des Falls (Nummer, Kategorie, Status, Organisationen, Stadt/Gemeinde, Risikostufe, Stand "
          "der Fallkonferenz). Abschnitte geben Sie gesondert frei; dafür muss für die Organisation eine "
          "Rechtsgrundlage erfasst sein."),
    )  # fmt: skip


def _organisation_step(request, case, form, service, done, title, submit, intro):
    """A form choosing one organisation for a case the user manages (invite, hand over the lead):
    ``service(user, case, organisation)`` on a valid POST, its errors on the form naming the field."""
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        ok, _r = _attempt(form, lambda: service(request.user, case, organisation))
        if ok:
            messages.success(request, done % {"org": organisation})
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, title, submit, reverse("cases:detail", args=[case.pk]), intro)


@login_required
def share(request, case_id):
    case = _managed_case(request, case_id)
    form = forms.ShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _r = _attempt(
            form, lambda: services.share_case(request.user, case, d["organisation"], d["sections"])
        )
        if ok:
            messages.success(request, _("Die Abschnitte wurden freigegeben."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Abschnitte teilen"), _("Freigeben"), reverse("cases:detail", args=[case.pk])
    )


@login_required
def share_revoke(request, case_id, share_id):
    """Take one shared section back from an organisation (GET: confirmation form; POST: with a reason)."""
    case = _managed_case(request, case_id)
    share = get_object_or_404(queries.shares_of(request.user, case), pk=share_id)
    form = forms.RevokeShareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _r = _attempt(form, lambda: services.revoke_share(
            request.user, case, share.organisation, share.section, form.cleaned_data["reason"]))  # fmt: skip
        if ok:
            messages.success(
                request,
                _("Die Freigabe „%(section)s“ für %(org)s wurde zurückgenommen.")
                % {"section": share.get_section_display(), "org": share.organisation},
            )
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Freigabe zurücknehmen: %(section)s") % {"section": share.get_section_display()},
        _("Freigabe zurücknehmen"), reverse("cases:detail", args=[case.pk]),
        _("%(org)s sieht den Abschnitt „%(section)s“ danach nicht mehr. Was die Organisation vorher gesehen "
          "hat, bleibt im Zugriffsprotokoll und in der Auskunft nach Art. 15 DSGVO.")
        % {"org": share.organisation, "section": share.get_section_display()},
    )  # fmt: skip


@login_required
@require_POST
def participation_end(request, case_id, organisation_id):
    case = _managed_case(request, case_id)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    try:
        services.end_participation(request.user, case, organisation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Beteiligung wurde beendet."))
    return redirect("cases:detail", case.pk)


@login_required
def risk_assess(request, case_id, instrument_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    if not case.access.sees(Section.RISK):
        raise PermissionDenied
    instrument = instruments.get_instrument(instrument_id)
    if instrument is None:
        raise Http404
    form = forms.RiskForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, assessment = _attempt(
            form,
            lambda: services.assess_risk(
                request.user, case, instrument.id, form.answers(), judgement_band=d["judgement_band"],
                reason=d["reason"],
            ),
        )  # fmt: skip
        if ok:
            messages.success(
                request,
                _("Risikoeinschätzung gespeichert: %(band)s.")
                % {"band": assessment.get_final_band_display()},
            )
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, instrument.title, _("Einschätzung speichern"),
                      reverse("cases:detail", args=[case.pk]), instrument.disclaimer)  # fmt: skip


@login_required
def chronology_add(request, case_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    _require_section(case, Section.CHRONOLOGY)
    form = forms.ChronologyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, entry = _attempt(
            form,
            lambda: services.add_chronology_entry(
                request.user, case, date=d["date"], text=d["text"], kind=d["kind"]
            ),
        )
        if ok:
            messages.success(request, _("Das Ereignis wurde in den Verlauf aufgenommen."))
            if entry.marks_repeat:
                messages.warning(
                    request,
                    _("Neuer Vorfall innerhalb von 12 Monaten nach der letzten Fallkonferenz: Der Fall ist ein "
                      "Wiederholungsfall und kommt auf die nächste Tagesordnung. Die Moderation wurde "
                      "benachrichtigt."),
                )  # fmt: skip
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Ereignis im Verlauf"), _("Hinzufügen"), reverse("cases:detail", args=[case.pk])
    )


@login_required
def note_add(request, case_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    _require_section(case, Section.NOTES)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _n = _attempt(form, lambda: services.add_note(request.user, case, text=form.cleaned_data["text"]))
        if ok:
            messages.success(request, _("Die Notiz wurde gespeichert."))
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Notiz"), _("Hinzufügen"), reverse("cases:detail", args=[case.pk]))


@login_required
@require_POST
def propose(request, case_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.propose_case", case)
    services.propose_for_conference(request.user, case)
    messages.success(request, _("Der Fall wurde für die nächste Fallkonferenz vorgeschlagen."))
    return redirect("cases:detail", case.pk)


@login_required
def deadline_add(request, case_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    _require_section(case, Section.DEADLINES)
    form = forms.DeadlineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, deadline = _attempt(
            form,
            lambda: services.add_deadline(
                request.user, case, kind=d["kind"], due_date=d["due_date"], ordered_on=d["ordered_on"],
                application_filed_on=d["application_filed_on"],
            ),
        )  # fmt: skip
        if ok:
            messages.success(
                request, _("Die Frist wurde erfasst: %(date)s.") % {"date": _short_date(deadline.due_date)}
            )
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Frist erfassen"), _("Erfassen"), reverse("cases:detail", args=[case.pk]),
                      _("Rückkehrverbot: Ende am 10. Tag nach der Anordnung; bei rechtzeitigem Antrag nach dem "
                        "Gewaltschutzgesetz bis zur gerichtlichen Entscheidung, höchstens 10 Tage länger."))  # fmt: skip


@login_required
@require_POST
def deadline_done(request, case_id, deadline_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    deadline = get_object_or_404(queries.deadlines_of(request.user, case), pk=deadline_id)
    services.complete_deadline(request.user, deadline)
    messages.success(request, _("Die Frist ist als erledigt vermerkt."))
    return redirect("cases:detail", case.pk)


@login_required
def return_ban_update(request, case_id, deadline_id):
    case = queries.access_case(request.user, case_id)
    _require(request, "cases.contribute", case)
    deadline = get_object_or_404(
        queries.deadlines_of(request.user, case), pk=deadline_id, kind=DeadlineKind.RETURN_BAN
    )
    form = forms.ReturnBanForm(request.POST or None, initial={
        "application_filed_on": deadline.application_filed_on, "court_decision_on": deadline.court_decision_on,
    })  # fmt: skip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _d = _attempt(form, lambda: services.update_return_ban(
            request.user, deadline, application_filed_on=d["application_filed_on"],
            court_decision_on=d["court_decision_on"]))  # fmt: skip
        if ok:
            messages.success(
                request,
                _("Das Rückkehrverbot wurde aktualisiert; es endet am %(date)s.")
                % {"date": _short_date(deadline.due_date)},
            )
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Rückkehrverbot: Antrag und Entscheidung"), _("Speichern"),
                      reverse("cases:detail", args=[case.pk]))  # fmt: skip


@login_required
def close(request, case_id):
    case = _managed_case(request, case_id)
    form = forms.CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _c = _attempt(form, lambda: services.close_case(request.user, case, form.cleaned_data["reason"]))
        if ok:
            messages.success(request, _("Der Fall wurde abgeschlossen."))
            return redirect("cases:detail", case.pk)
    return _form_page(request, form, _("Fall abschließen"), _("Abschließen"), reverse("cases:detail", args=[case.pk]),
                      _("Nach Ablauf der Aufbewahrungsfrist werden die Identitätsdaten gelöscht; anonyme "
                        "Statistikangaben bleiben."))  # fmt: skip


@login_required
def transfer_lead(request, case_id):
    """Hand the lead (Fallverantwortung) to another participating organisation."""
    case = _managed_case(request, case_id)
    form = forms.TransferLeadForm(
        request.POST or None, organisations=queries.participating_organisations(request.user, case)
    )
    return _organisation_step(
        request, case, form, services.transfer_lead, _("%(org)s hat jetzt die Fallverantwortung."),
        _("Fallverantwortung übertragen"), _("Übertragen"),
        _("Die fallverantwortliche Organisation ist die eine Stelle, mit der die betroffene Person zu tun hat, "
          "und sieht den ganzen Fall. Ihre Organisation sieht danach nur noch, was mit ihr geteilt ist, "
          "außer sie hat den Fall eingebracht."),
    )  # fmt: skip


# --- Art. 15 -----------------------------------------------------------------------------------------


def _report_payload(case):
    return {
        "case": case.number,
        "generated_at": timezone.now().isoformat(),
        "organisations": [
            {
                **row,
                "first_access": row["first_access"].isoformat(),
                "last_access": row["last_access"].isoformat(),
            }
            for row in queries.access_report(case)
        ],
        "report_requests": queries.report_requests(case),
        # What the keys of each organisation's "kinds" mean, in the language of the download.
        "kinds": {kind: str(label) for kind, label in queries.READ_KIND_LABELS.items()},
    }


@login_required
def access_report_json(request, case_id):
    case = queries.case_for_access_report(request.user, case_id)
    response = HttpResponse(
        json.dumps(_report_payload(case), ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="auskunft-{case.number}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def access_report_pdf(request, case_id):
    case = queries.case_for_access_report(request.user, case_id)
    return pdf_response(
        "cases/pdf/access_report.html",
        {
            "case": case,
            "rows": [
                {
                    **row,
                    "kind_lines": [(queries.READ_KIND_LABELS[kind], n) for kind, n in row["kinds"].items()],
                }
                for row in queries.access_report(case)
            ],
            "report_requests": queries.report_requests(case),
            "viewer": request.user,
            "now": timezone.now(),
        },
        f"auskunft-{case.number}.pdf",
    )


@login_required
def legal_hold(request, case_id):
    case = queries.case_for_access_report(request.user, case_id)
    # Back to where the hold is opened: Datenschutz's Art. 15 look-up, the lead's case page.
    if request.user.has_role(Role.DATENSCHUTZ):
        back = reverse("cases:access_lookup") + "?" + urlencode({"nummer": case.number})
    else:
        back = reverse("cases:detail", args=[case.pk])
    form = forms.LegalHoldForm(
        request.POST or None, initial={"hold": case.legal_hold, "legal_hold_reason": case.legal_hold_reason}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _c = _attempt(
            form, lambda: services.set_legal_hold(request.user, case, d["hold"], d["legal_hold_reason"])
        )
        if ok:
            messages.success(request, _("Die Löschsperre wurde gespeichert."))
            return redirect(back)
    return _form_page(request, form, _("Löschsperre für %(n)s") % {"n": case.number}, _("Speichern"), back)


@login_required
def access_report_lookup(request):
    """Datenschutz finds a case by its number to answer an Art. 15 request."""
    _require(request, "cases.view_counts")
    if not request.user.has_role(Role.DATENSCHUTZ):
        raise PermissionDenied  # Koordination sees counts; answering Art. 15 requests is Datenschutz's task
    number = (request.GET.get("nummer") or "").strip().upper()
    case = queries.case_by_number_for_report(request.user, number) if number else None
    return render(request, "cases/access_lookup.html", {"number": number, "found": case})


# --- referrals ---------------------------------------------------------------------------------------


@login_required
def referral_create(request, case_id):
    case = _managed_case(request, case_id)
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, _r = _attempt(
            form, lambda: services.create_referral(request.user, case, d["to_organisation"], d["sections"])
        )
        if ok:
            messages.success(request, _("Die Vermittlung wurde angelegt."))
            return redirect("cases:detail", case.pk)
    return _form_page(
        request, form, _("Fall vermitteln"), _("Vermitteln"), reverse("cases:detail", args=[case.pk])
    )


@login_required
def referral_list(request):
    _require(request, "cases.view_referrals")
    referrals = queries.referrals_for(request.user).order_by("-referred_at")[:200]
    return render(request, "cases/referral_list.html", {"referrals": referrals})


@login_required
def referral_detail(request, referral_id):
    referral = queries.access_referral(request.user, referral_id)
    is_receiver = referral.to_organisation_id == request.user.organisation_id
    steps = services.ALLOWED_REFERRAL_STEPS.get(referral.status, set())
    status_form = forms.ReferralUpdateForm(request.POST if "status" in request.POST else None, steps=steps)
    contact_form = forms.FirstContactForm(request.POST if "first_contact_at" in request.POST else None)
    if request.method == "POST":
        if not is_receiver:
            raise PermissionDenied
        if status_form.is_bound and status_form.is_valid():
            d = status_form.cleaned_data
            ok, _r = _attempt(status_form, lambda: services.update_referral(
                request.user, referral, d["status"], d["decline_reason"]))  # fmt: skip
            if ok:
                messages.success(request, _("Der Stand der Vermittlung wurde gespeichert."))
                return redirect("cases:referral_detail", referral.pk)
        elif contact_form.is_bound and contact_form.is_valid():
            ok, _r = _attempt(contact_form, lambda: services.record_first_contact(
                request.user, referral, contact_form.cleaned_data["first_contact_at"]))  # fmt: skip
            if ok:
                messages.success(request, _("Der Erstkontakt wurde gespeichert."))
                return redirect("cases:referral_detail", referral.pk)
    return render(
        request,
        "cases/referral_detail.html",
        {
            "referral": referral,
            "is_receiver": is_receiver,
            # A chair sees a proposed case only once it stands on its agenda: no link to a 404 before.
            "may_view_case": request.user.has_perm("cases.view_case", referral.case),
            "may_decline": referral.status == ReferralStatus.PENDING
            and request.user.has_perm("cases.decide_proposal", referral),
            "status_form": status_form,
            # A declined or completed referral has no next step: no form that could only be refused.
            "may_change_status": bool(steps),
            "contact_form": contact_form,
        },
        status=400 if (status_form.errors or contact_form.errors) else 200,
    )


@login_required
def proposal_decline(request, referral_id):
    """The conference chair declines a proposal to the conference, with a reason."""
    referral = queries.access_referral(request.user, referral_id)
    _require(request, "cases.decide_proposal", referral)
    form = forms.ProposalDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, _r = _attempt(
            form,
            lambda: services.decline_proposal(request.user, referral, form.cleaned_data["decline_reason"]),
        )
        if ok:
            messages.success(request, _("Der Vorschlag wurde abgelehnt."))
            return redirect("cases:referral_detail", referral.pk)
    return _form_page(
        request, form, _("Vorschlag für die Fallkonferenz ablehnen: %(n)s") % {"n": referral.case.number},
        _("Ablehnen"), reverse("cases:referral_detail", args=[referral.pk]),
        _("Stand: %(s)s. Ein abgelehnter Fall kommt nicht auf die Tagesordnung; er kann später erneut "
          "vorgeschlagen werden.") % {"s": referral.get_status_display()},
    )  # fmt: skip


# --- conferences -------------------------------------------------------------------------------------


@login_required
def conference_list(request):
    _require(request, "cases.view_case_list")
    return render(
        request,
        "cases/conference_list.html",
        {
            "conferences": queries.conferences_for(request.user)[:100],
            "can_create": request.user.has_perm("cases.create_conference"),
        },
    )


@login_required
def conference_create(request):
    _require(request, "cases.create_conference")
    form = forms.ConferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ok, conference = _attempt(form, lambda: services.create_conference(
            request.user, date=d["date"], kind=d["kind"], location=d["location"],
            invited_organisations=d["invited_organisations"]))  # fmt: skip
        if ok:
            messages.success(request, _("Die Fallkonferenz wurde angelegt."))
            return redirect("cases:conference_detail", conference.pk)
    return _form_page(
        request, form, _("Fallkonferenz planen"), _("Anlegen"), reverse("cases:conference_list")
    )


@login_required
def conference_detail(request, conference_id):
    conference = queries.access_conference(request.user, conference_id)
    agenda = queries.agenda_for(request.user, conference)
    is_chair = request.user.has_perm("cases.chair_conference", conference)
    attendance = list(queries.attendance_of(conference)) if agenda is not None else []
    context = {
        "conference": conference,
        "agenda": agenda,
        "is_chair": is_chair,
        "may_change": is_chair and conference.is_planned,
        "invited": conference.invited_organisations.all(),
        "attendance": attendance,
        # Those recorded absent stay unticked, so saving again for a latecomer keeps them absent.
        "absent_ids": {a.user_id for a in attendance if not a.present},
        "acknowledged_users": queries.acknowledged_users(conference)
        if is_chair and agenda is not None
        else [],
    }
    return render(request, "cases/conference_detail.html", context)


@login_required
@require_POST
def conference_acknowledge(request, conference_id):
    conference = queries.access_conference(request.user, conference_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Bitte bestätigen Sie die Vertraulichkeit ausdrücklich."))
    else:
        ok, _a = _run(request, lambda: services.acknowledge_confidentiality(request.user, conference))
        if ok:
            messages.success(request, _("Vertraulichkeit bestätigt. Die Tagesordnung ist jetzt sichtbar."))
    return redirect("cases:conference_detail", conference.pk)


def _run(request, call):
    """Run a service for a POST without a form; its ValidationError becomes an error message."""
    try:
        return True, call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False, None


def _chaired_conference(request, conference_id):
    conference = queries.access_conference(request.user, conference_id)
    _require(request, "cases.chair_conference", conference)
    return conference


@login_required
@require_POST
def conference_build_agenda(request, conference_id):
    conference = _chaired_conference(request, conference_id)
    ok, added = _run(request, lambda: services.build_agenda(request.user, conference))
    if ok:
        messages.success(request, _("%(n)d Fälle auf die Tagesordnung gesetzt.") % {"n": len(added)})
    return redirect("cases:conference_detail", conference.pk)


@login_required
@require_POST
def conference_attendance(request, conference_id):
    conference = _chaired_conference(request, conference_id)
    ids = _ids(request.POST.getlist("present"))
    try:
        services.record_attendance(request.user, conference, list(User.objects.filter(pk__in=ids)))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Anwesenheit wurde gespeichert."))
    return redirect("cases:conference_detail", conference.pk)


@login_required
@require_POST
def conference_held(request, conference_id):
    conference = _chaired_conference(request, conference_id)
    ok, _c = _run(request, lambda: services.mark_conference_held(request.user, conference))
    if ok:
        messages.success(request, _("Die Fallkonferenz ist als durchgeführt vermerkt."))
    return redirect("cases:conference_detail", conference.pk)


def _changeable_conference(request, conference_id):
    """A conference the user chairs; None (with a message) when it was held or cancelled."""
    conference = _chaired_conference(request, conference_id)
    if conference.is_planned:
        return conference, None
    if conference.is_cancelled:
        messages.error(request, _("Diese Fallkonferenz wurde abgesagt und kann nicht mehr geändert werden."))
    else:
        messages.error(
            request, _("Diese Fallkonferenz wurde bereits durchgeführt und kann nicht mehr geändert werden.")
        )
    return conference, redirect("cases:conference_detail", conference.pk)


def _planned_conference_form(request, conference_id, make_form, act, done, title, submit, intro):
    """The flow of the forms that change a planned conference (edit, add a case, cancel): the chair
    only, refused with a message once held or cancelled; ``act(conference, data)`` calls the service,
    ``done(result)`` is the success message."""
    conference, refused = _changeable_conference(request, conference_id)
    if refused:
        return refused
    form = make_form(conference)
    if request.method == "POST" and form.is_valid():
        ok, result = _attempt(form, lambda: act(conference, form.cleaned_data))
        if ok:
            messages.success(request, done(result))
            return redirect("cases:conference_detail", conference.pk)
    back = reverse("cases:conference_detail", args=[conference.pk])
    return _form_page(request, form, title, submit, back, intro)


@login_required
def conference_edit(request, conference_id):
    return _planned_conference_form(
        request, conference_id,
        lambda conference: forms.ConferenceForm(request.POST or None, conference=conference),
        lambda conference, d: services.update_conference(
            request.user, conference, date=d["date"], kind=d["kind"], location=d["location"],
            invited_organisations=d["invited_organisations"]),
        lambda _result: _("Die Fallkonferenz wurde geändert."),
        _("Fallkonferenz bearbeiten"), _("Speichern"),
        _("Eine Organisation, die nicht mehr eingeladen ist, sieht die Konferenz danach nicht mehr. Fälle, die "
          "nur ihretwegen auf der Tagesordnung standen, kommen zur nächsten Konferenz zurück."),
    )  # fmt: skip


@login_required
def conference_add_case(request, conference_id):
    """Put one case on a planned conference's agenda by its number (the chair's Moderation)."""
    return _planned_conference_form(
        request, conference_id,
        lambda _conference: forms.AgendaCaseForm(request.POST or None),
        lambda conference, d: services.add_case_number_to_agenda(request.user, conference, d["case"]),
        lambda item: _("Der Fall %(number)s steht jetzt auf der Tagesordnung.") % {"number": item.case.number},
        _("Fall auf die Tagesordnung setzen"), _("Hinzufügen"),
        _("Etwa für eine Spontankonferenz: Geben Sie die Nummer eines offenen Falls an, den Sie sehen dürfen."),
    )  # fmt: skip


@login_required
def conference_cancel(request, conference_id):
    return _planned_conference_form(
        request, conference_id,
        lambda _conference: forms.ConferenceCancelForm(request.POST or None),
        lambda conference, d: services.cancel_conference(request.user, conference, d["reason"]),
        lambda _result: _("Die Fallkonferenz wurde abgesagt."),
        _("Fallkonferenz absagen"), _("Absagen"),
        _("Die eingeladenen Organisationen werden benachrichtigt. Die Fälle der Tagesordnung kommen zur "
          "nächsten Fallkonferenz zurück; angenommene Vorschläge sind wieder offen."),
    )  # fmt: skip


def _agenda_item(request, conference_id, item_id):
    conference = _chaired_conference(request, conference_id)
    if not queries.has_acknowledged(request.user, conference):
        raise PermissionDenied
    item = get_object_or_404(AgendaItem.objects.select_related("case", "conference"), pk=item_id,
                             conference=conference)  # fmt: skip
    queries.log_agenda_item(request.user, item)
    return conference, item


@login_required
def agenda_item(request, conference_id, item_id):
    conference, item = _agenda_item(request, conference_id, item_id)
    outcome_form = forms.OutcomeForm(
        request.POST if "decisions" in request.POST else None,
        initial={"decisions": item.decisions, "next_review_date": item.next_review_date},
    )
    action_form = forms.ActionForm(request.POST if "description" in request.POST else None)
    if request.method == "POST":
        if outcome_form.is_bound and outcome_form.is_valid():
            d = outcome_form.cleaned_data
            ok, _i = _attempt(outcome_form, lambda: services.record_case_outcome(
                request.user, item, decisions=d["decisions"], next_review_date=d["next_review_date"]))  # fmt: skip
            if ok:
                messages.success(request, _("Die Beschlüsse wurden gespeichert."))
                return redirect("cases:agenda_item", conference.pk, item.pk)
        elif action_form.is_bound and action_form.is_valid():
            d = action_form.cleaned_data
            ok, _a = _attempt(action_form, lambda: services.add_action(
                request.user, item, description=d["description"], organisation=d["organisation"],
                responsible_person=d["responsible_person"], due_date=d["due_date"]))  # fmt: skip
            if ok:
                messages.success(request, _("Die Maßnahme wurde in den Plan aufgenommen."))
                return redirect("cases:agenda_item", conference.pk, item.pk)
    context = {
        "conference": conference,
        "item": item,
        "outcome_form": outcome_form,
        "action_form": action_form,
        "review_form": forms.ActionReviewForm(),
        **queries.agenda_item_details(request.user, item),
    }
    return render(
        request,
        "cases/agenda_item.html",
        context,
        status=400 if (outcome_form.errors or action_form.errors) else 200,
    )


@login_required
@require_POST
def action_review(request, conference_id, item_id, action_id):
    conference, item = _agenda_item(request, conference_id, item_id)
    action = get_object_or_404(item.case.actions, pk=action_id)
    try:
        services.review_action(request.user, item, action, request.POST.get("review", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Überprüfung der Maßnahme wurde gespeichert."))
    return redirect("cases:agenda_item", conference.pk, item.pk)


@login_required
def minutes_pdf(request, conference_id):
    conference = queries.access_conference(request.user, conference_id)
    if not queries.may_see_minutes(request.user, conference):
        raise Http404
    agenda = queries.minutes_for(request.user, conference)
    now = timezone.localtime()
    return pdf_response(
        "cases/pdf/minutes.html",
        {
            "conference": conference,
            "agenda": agenda,
            "attendance": queries.attendance_of(conference),
            "viewer": request.user,
            "now": now,
            "stamp": _css_string(
                f"{_('VERTRAULICH')} – {request.user.get_full_name() or request.user.username} – "
                f"{dateformat.format(now, 'd.m.Y H:i')}"
            ),
        },
        f"protokoll-fallkonferenz-{conference.date:%Y-%m-%d}.pdf",
    )


# --- actions -----------------------------------------------------------------------------------------


@login_required
def action_detail(request, action_id):
    action = queries.access_action(request.user, action_id)
    may_update = request.user.has_perm("cases.update_action", action)
    form = forms.ActionUpdateForm(
        request.POST or None, initial={"status": action.status, "outcome": action.outcome}
    )
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            ok, _a = _attempt(form, lambda: services.update_action(
                request.user, action, status=d["status"], outcome=d["outcome"]))  # fmt: skip
            if ok:
                messages.success(request, _("Die Maßnahme wurde aktualisiert."))
                return redirect("cases:action_detail", action.pk)
    return render(
        request,
        "cases/action_detail.html",
        {
            "action": action,
            "form": form,
            "may_update": may_update,
            "may_view_case": request.user.has_perm("cases.view_case", action.case),
        },
        status=400 if form.errors else 200,
    )
