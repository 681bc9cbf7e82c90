"""Thin views: parse, call a query or service, render."""

import functools
import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from schutznetz.core import shells
from schutznetz.core.charts import Bar, bar_chart_svg
from schutznetz.core.decorators import public_page
from schutznetz.core.pdf import pdf_response
from schutznetz.directory import cards, gaps, hsds, queries, services, taxonomy
from schutznetz.directory.forms import ApproveForm, OfferForm, RejectForm, ShelterReportForm
from schutznetz.directory.models import Appointment, Municipality, OfferStatus, Provider


@functools.cache
def _options(field, language, selected):
    """<option>s of a finder select (rendered here: Django's widget templates cost more than the
    search). The taxonomies are constants, so each (field, language, selection) is built once
    per process; ``language`` is part of the key because the labels are translated."""
    everything = [("", _("alle"))]
    if field == "sprache":
        choices = everything + sorted(taxonomy.LANGUAGES.items(), key=lambda kv: str(kv[1]))
    else:
        choices = everything + list((taxonomy.KINDS if field == "art" else taxonomy.TARGET_GROUPS).items())
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, mark_safe(" selected") if code == selected else "", label) for code, label in choices),  # noqa: S308
    )


def _finder_page(request):
    """The finder's page as shell structure (what the templates branch on) and holes (the
    values they print); see ``core/shells.py``."""
    params = queries.FinderParams.from_query(request.GET)
    result = queries.find_offers(params, cards=True)
    # The query without the page number (not ``GET.copy()``: it deep-copies the whole QueryDict).
    query = urlencode([(name, values) for name, values in request.GET.lists() if name != "seite"], doseq=True)
    base = "?" + (query + "&" if query else "")
    language = get_language()
    heading = ngettext("%(counter)s Angebot gefunden", "%(counter)s Angebote gefunden", result.total) % {
        "counter": result.total
    }
    if result.place:
        heading += " – " + _("für %(place)s") % {"place": result.place.name}
    structure = {
        "has_results": bool(result.results),
        "has_problems": bool(result.problems),
        "has_previous": result.page > 1,
        "has_next": result.has_next,
    }
    holes = {
        "q": params.q,
        "ort": params.ort,
        # Only valid codes reach here (FinderParams drops unknown ones), so the cache stays small.
        "kind_options": _options("art", language, params.art),
        "target_options": _options("zielgruppe", language, params.zielgruppe),
        "language_options": _options("sprache", language, params.sprache),
        "barrierefrei_checked": mark_safe(" checked") if params.barrierefrei else "",
        "jetzt_offen_checked": mark_safe(" checked") if params.jetzt_offen else "",
        "heading": heading,
        "problems": format_html_join("", "<li>{}</li>", ((problem,) for problem in result.problems)),
        # Each offer link carries this search (as the finder read it, on the page shown), for
        # the offer page's way back.
        "cards": cards.cards_html(
            result.results, result.card_memo, replace(params, seite=result.page).as_query()
        ),
        "start": (result.page - 1) * queries.PAGE_SIZE + 1,
        "previous_href": f"{base}seite={result.page - 1}",
        "next_href": f"{base}seite={result.page + 1}",
    }
    return structure, holes


# What an htmx search gets: the results and, out of band, the count for the page's live region.
FRAGMENT_TEMPLATE = "directory/_results_htmx.html"


@public_page
@require_GET
def finder(request):
    structure, holes = _finder_page(request)
    htmx = getattr(request, "htmx", None)
    partial = htmx and not htmx.history_restore_request
    template = FRAGMENT_TEMPLATE if partial else "directory/finder.html"
    response = shells.render(request, template, structure, holes)
    response["Vary"] = "HX-Request"
    return response


def _back_to_search(request):
    """Where "Zurück zur Suche" leads: always the finder's own address, with the search the
    visitor came from (the result cards pass it on) read as the finder reads it. Only the
    finder's parameters with values it accepts are carried over, so the link cannot be pointed
    elsewhere or made to carry anything else; an offer page opened directly gets the empty finder."""
    search = queries.FinderParams.from_query(request.GET).as_query()
    return reverse("directory:finder") + ("?" + urlencode(search) if search else "")


@public_page
@require_GET
def offer_detail(request, hsds_id):
    offer = queries.public_offer_or_404(hsds_id)
    queries.attach_shelter_lights([offer])
    return render(
        request,
        "directory/offer_detail.html",
        {
            "offer": offer,
            "kinds": [taxonomy.KINDS.get(c, c) for c in offer.kind_list],
            "targets": [taxonomy.TARGET_GROUPS.get(c, c) for c in offer.target_list],
            "languages": [taxonomy.LANGUAGES.get(c, c) for c in offer.language_list],
            "weekdays": [
                _("Montag"),
                _("Dienstag"),
                _("Mittwoch"),
                _("Donnerstag"),
                _("Freitag"),
                _("Samstag"),
                _("Sonntag"),
            ],
            "back_href": _back_to_search(request),
        },
    )


@public_page
@require_GET
def easy_language(request):
    return shells.render(request, "directory/leichte_sprache.html")


# --- Staff ----------------------------------------------------------------------


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied


@login_required
def staff_offers(request):
    _require(request.user, "directory.edit_offers")
    offers = queries.editable_offers(request.user).order_by("name")
    due = set(queries.offers_due_for_verification().filter(pk__in=offers).values_list("pk", flat=True))
    return render(
        request,
        "directory/staff_offers.html",
        {"offers": offers, "due": due, "pending": queries.pending_revisions(request.user).count()},
    )


def _providers_for(user):
    if user.has_perm("directory.review_offers"):
        return Provider.objects.order_by("name")
    return Provider.objects.filter(organisation_id=user.organisation_id).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def staff_offer_create(request):
    _require(request.user, "directory.edit_offers")
    form = OfferForm(request.POST or None, providers=_providers_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(request.user, form.cleaned_data["provider"], form.offer_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if offer.is_published:
                messages.success(request, _("Das Angebot ist angelegt und veröffentlicht."))
            else:
                messages.success(
                    request, _("Das Angebot ist angelegt und wartet auf die Prüfung durch die Koordination.")
                )
            return redirect("directory:staff_offers")
    return render(request, "directory/staff_offer_form.html", {"form": form, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def staff_offer_edit(request, pk):
    offer = queries.editable_offer_or_404(request.user, pk)
    pending = offer.revisions.filter(status="pending").first()
    # Anbieter continue from their pending proposal; Koordination edits the public version.
    direct = request.user.has_perm("directory.review_offers")
    proposal = pending if not direct else None
    form = OfferForm(request.POST or None, initial=OfferForm.initial_from(offer, proposal))
    if request.method == "POST" and form.is_valid():
        # Koordination's change is merged against the state the form was shown with, so a
        # colleague's edit saved in the meantime is not overwritten.
        base = _loads_state(request.POST.get("stand")) if direct else None
        try:
            revision = services.update_offer(request.user, offer, form.offer_data(), base=base)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "conflict":
                form.add_error(None, exc)
            else:
                # Show the offer as it is now, with this editor's own changes on top, and a new
                # base: saving again is then a decision taken knowing the other change.
                offer.refresh_from_db()
                current = services.offer_data(offer)
                show = _value_formatter()
                now = "; ".join(
                    _("%(field)s jetzt: %(value)s")
                    % {"field": services.field_label(name), "value": _shown(show(name, current.get(name)))}
                    for name in exc.fields
                )
                messages.error(request, " ".join(exc.messages) + " " + now)
                initial = {**current, **services.own_changes(form.offer_data(), base)}
                initial["opening_hours"] = hsds.format_opening_hours(initial.get("schedules", []))
                form = OfferForm(initial=initial)
        else:
            if revision is not None:
                messages.success(
                    request,
                    _(
                        "Ihre Änderung wartet auf die Prüfung; bis dahin bleibt die bisherige Fassung öffentlich."
                    ),
                )
            else:
                messages.success(request, _("Das Angebot ist gespeichert."))
            return redirect("directory:staff_offers")
    # The reason Koordination gave is for the people who proposed the change: show the last
    # decision if it was a rejection (otherwise a refused proposal just disappears).
    last_decision = (
        None
        if pending
        else offer.revisions.exclude(status="pending")
        .exclude(reviewed_at=None)
        .order_by("-reviewed_at")
        .first()
    )
    rejected = last_decision if last_decision and last_decision.status == "rejected" else None
    return render(
        request,
        "directory/staff_offer_form.html",
        {
            "form": form,
            "offer": offer,
            "pending": pending,
            "rejected": rejected,
            "state": _dumps_state(offer) if direct else "",
        },
    )


_STATE_SALT = "directory.offer-edit-state"


def _dumps_state(offer):
    """The offer's editable state, signed, for the edit form's hidden ``stand`` field."""
    return signing.dumps(services.offer_data(offer), salt=_STATE_SALT, compress=True)


def _loads_state(value):
    """The state an edit form was shown with; None if missing or tampered with (then the
    change is applied as sent, as before)."""
    if not value:
        return None
    try:
        return signing.loads(value, salt=_STATE_SALT)
    except signing.BadSignature:
        return None


@login_required
@require_POST
def staff_offer_verify(request, pk):
    offer = queries.editable_offer_or_404(request.user, pk)
    services.verify_offer(request.user, offer)
    messages.success(request, _("Die Angaben sind als aktuell bestätigt."))
    return redirect("directory:staff_offers")


@login_required
def review_list(request):
    _require(request.user, "directory.review_offers")
    return render(
        request, "directory/review_list.html", {"revisions": queries.pending_revisions(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request, pk):
    _require(request.user, "directory.review_offers")
    revision = queries.pending_revision_or_404(request.user, pk)
    action = request.POST.get("action")
    form = RejectForm(request.POST if action == "reject" else None)
    show = _value_formatter()
    rows = services.review_fields(revision)
    conflicts = [
        (
            row,
            services.field_label(row.name),
            _shown(show(row.name, row.current)),
            _shown(show(row.name, row.proposed)),
        )
        for row in rows
        if row.conflict
    ]
    token = services.review_token(revision)
    approve_form = ApproveForm(
        request.POST if action == "approve" else None, conflicts=conflicts, initial={"token": token}
    )
    if request.method == "POST":
        if action == "approve":
            if approve_form.is_valid():
                try:
                    services.approve_revision(
                        request.user,
                        revision,
                        choices=approve_form.choices(),
                        # Without a fingerprint (a client other than the page) the merge still
                        # keeps later edits; only the "changed since you looked" check is skipped.
                        token=approve_form.cleaned_data["token"] or None,
                    )
                except ValidationError as exc:
                    if getattr(exc, "code", None) in ("stale", "conflict"):
                        # The offer or the proposal changed while the page was open: show it again.
                        messages.error(request, " ".join(exc.messages))
                    else:
                        # A proposal the model refuses (saved before a rule was tightened): say why, change nothing.
                        messages.error(
                            request,
                            _("Die Änderung kann so nicht freigegeben werden: %(errors)s")
                            % {"errors": " ".join(exc.messages)},
                        )
                    return redirect("directory:review_detail", pk=revision.pk)
                messages.success(request, _("Die Änderung ist freigegeben und öffentlich."))
                return redirect("directory:review_list")
        elif form.is_valid():
            services.reject_revision(request.user, revision, form.cleaned_data["review_note"])
            messages.success(request, _("Die Änderung ist abgelehnt."))
            return redirect("directory:review_list")
    # Changed since the proposal was made: the three-way comparison (then, now, proposed).
    changed_since = any(row.changed_since for row in rows)
    comparison = [
        (
            services.field_label(row.name),
            show(row.name, row.base),
            show(row.name, row.current),
            show(row.name, row.proposed),
            _outcome(row),
            row.conflict,
        )
        for row in rows
    ]
    changes = _readable_changes(services.revision_changes(revision))
    return render(
        request,
        "directory/review_detail.html",
        {
            "revision": revision,
            "changes": changes,
            "changed_since": changed_since,
            "comparison": comparison,
            "form": form,
            "approve_form": approve_form,
        },
    )


def _shown(value):
    return "–" if value in ("", None) else str(value)


def _outcome(row):
    """What approving does with one field of the comparison, in Koordination's words."""
    if row.conflict:
        return _("beide geändert – bitte wählen")
    if row.proposed_change and row.changed_since:
        return _("beide gleich geändert")
    if row.proposed_change:
        return _("Vorschlag wird übernommen")
    return _("später geändert – bleibt")


def _value_formatter():
    """show(name, value): a field's value as Koordination reads it: names instead of codes,
    opening hours as text, ja/nein (not field names and Python lists)."""
    places = dict(Municipality.objects.values_list("slug", "name"))
    code_labels = {
        "kinds": taxonomy.KINDS,
        "target_groups": taxonomy.TARGET_GROUPS,
        "languages": taxonomy.LANGUAGES,
        "service_area": places,
    }
    choices = {"appointment": dict(Appointment.choices), "status": dict(OfferStatus.choices)}

    def show(name, value):
        if name == "schedules":
            return hsds.format_opening_hours(value or [])
        if name in code_labels:
            return ", ".join(str(code_labels[name].get(code, code)) for code in value or [])
        if name == "municipality":
            return places.get(value, value)
        if name in choices:
            return choices[name].get(value, value)
        if isinstance(value, bool):
            return _("ja") if value else _("nein")
        return "" if value is None else value

    return show


def _readable_changes(changes):
    """[(label, old, new)] as Koordination reads them (the form's German labels, readable values)."""
    show = _value_formatter()
    return [(services.field_label(name), show(name, old), show(name, new)) for name, old, new in changes]


@login_required
@require_http_methods(["GET", "POST"])
def shelter_report(request, pk):
    offer = queries.get_scoped_or_404(queries.reportable_shelters(request.user), pk=pk)
    _require(request.user, "directory.report_shelter", offer.provider)
    form = ShelterReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_shelter_places(
                request.user,
                offer,
                free_places=form.cleaned_data["free_places"],
                children_allowed=form.cleaned_data["children_allowed"],
                child_places=form.cleaned_data["child_places"] or 0,
                languages=form.cleaned_data["languages"],
                declined=form.declined_counts(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Danke – die Meldung ist gespeichert."))
            return redirect("directory:shelter_report", pk=offer.pk)
    history = queries.shelter_history(offer, limit=20)
    latest = history[0] if history else None
    return render(
        request,
        "directory/shelter_report.html",
        {"offer": offer, "form": form, "history": history, "light": queries.traffic_light(latest)},
    )


@login_required
def shelter_overview(request):
    _require(request.user, "directory.view_shelter_overview")
    return render(
        request,
        "directory/shelter_overview.html",
        {"shelters": queries.shelter_overview(request.user), "now": timezone.now()},
    )


@login_required
def gap_analysis(request):
    _require(request.user, "directory.view_gaps")
    report = gaps.gap_analysis()
    output = request.GET.get("format")
    if output == "json":
        response = HttpResponse(
            json.dumps(report, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="lueckenanalyse.json"'
        return response
    if output == "md":
        response = HttpResponse(gaps.as_markdown(report), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="lueckenanalyse.md"'
        return response
    kind = request.GET.get("art") if request.GET.get("art") in taxonomy.KINDS else "frauenberatung"
    context = gap_context(report, kind)
    if output == "pdf":
        return pdf_response("directory/gaps_pdf.html", context, "lueckenanalyse.pdf")
    return render(request, "directory/gaps.html", context)


def gap_context(report, kind="frauenberatung"):
    deficit_chart = bar_chart_svg(
        _("Defizit je Standard"),
        [Bar(s["label"], s["deficit"]) for s in report["standards"]],
        label_width=330,
        width=760,
        chart_id="chart-title-deficit",
    )
    distance_chart = bar_chart_svg(
        _("Entfernung zum nächsten Angebot: %(kind)s") % {"kind": taxonomy.KINDS[kind]},
        [
            Bar(
                m["name"],
                m["nearest_km"][kind],
                note="" if m["nearest_km"][kind] is not None else _("kein Angebot"),
            )
            for m in report["municipalities"]
        ],
        unit=" km",
        chart_id="chart-title-distance",
    )
    # Per municipality: the offers by kind with their names (not codes), and the chosen distance.
    municipality_rows = [
        (
            m,
            [(taxonomy.KINDS.get(code, code), n) for code, n in m["offers"].items() if n],
            m["nearest_km"][kind],
        )
        for m in report["municipalities"]
    ]
    return {
        "report": report,
        "municipality_rows": municipality_rows,
        "kind": kind,
        "kind_label": taxonomy.KINDS[kind],
        "kinds": taxonomy.KINDS,
        "deficit_chart": deficit_chart,
        "distance_chart": distance_chart,
    }
