"""Thin views: parse, call a service or a query, render."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import check_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from schutznetz.core import ratelimit
from schutznetz.core.access import require_perm
from schutznetz.core.decorators import public_page
from schutznetz.core.exports import csv_response, xlsx_response
from schutznetz.core.pdf import pdf_response
from schutznetz.evidence import counselling, forms, queries, services, status
from schutznetz.evidence.models import KitStatus

WORK = "evidence.work_with_kits"
# Session key: form tokens of the last registrations of this session → their kit ids.
REGISTERED_KEY = "evidence_registered"


def _staff(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        require_perm(request.user, WORK)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return never_cache(wrapper)


def _qr_data_uri(data, scale=4):
    return segno.make(data, error="m").svg_data_uri(scale=scale, border=2, dark="#000", light="#fff")


# --- staff: lists ---------------------------------------------------------------
@_staff
def kit_list(request):
    user = request.user
    find = forms.FindKitForm(request.GET or None)
    if find.is_bound and find.is_valid():
        kit_id = queries.find_kit_id(user, find.cleaned_data["code"])
        if kit_id:
            return redirect("evidence:kit_detail", kit_id=kit_id)
        find.add_error("code", _("Kein Set mit diesem Code an Ihrer Stelle (oder Tippfehler im Code)."))
    return render(
        request,
        "evidence/kit_list.html",
        {
            "find": find,
            "calls": queries.calls_due(user),
            # Only a programme clinic registers kits; the institute gets no button that leads nowhere.
            "can_register": queries.programmes_for_registration(user).exists(),
            **queries.kit_overview(user),
        },
    )


@_staff
def expiring(request):
    user = request.user
    lists = {
        "within_30": list(queries.expiring(user, 30)),
        "within_60": list(queries.expiring(user, 60, after_days=30)),
    }
    queries.log_listed(user, lists["within_30"] + lists["within_60"])
    return render(request, "evidence/expiring.html", lists)


# --- staff: register and print ---------------------------------------------------
@_staff
@require_http_methods(["GET", "POST"])
def kit_register(request):
    programmes = queries.programmes_for_registration(request.user)
    form = forms.KitRegistrationForm(request.POST or None, programmes=programmes)
    registered = request.session.get(REGISTERED_KEY, {})
    if request.method == "POST" and request.POST.get("once") in registered:
        # The same form again (reload or back button): no second kit, and the PIN is not shown again.
        messages.warning(
            request,
            _(
                "Dieses Formular wurde schon gesendet; das Set ist bereits erfasst. Die PIN wird nicht noch einmal angezeigt."
            ),
        )
        return redirect("evidence:kit_detail", kit_id=registered[request.POST["once"]])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kit, pin = services.register_kit(
                request.user,
                programme=data["programme"],
                examined_at=data["examined_at"],
                kind=data["kind"],
                items=form.items(),
                seal_number=data["seal_number"],
                declaration_signed=data["declaration_signed"],
                minor_under_14=data["minor_under_14"],
                unable_to_consent=data["unable_to_consent"],
                reminder_channel=data["reminder_channel"],
                reminder_contact=data["reminder_contact"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if data["once"]:
                recent = list(registered.items())[-19:]
                request.session[REGISTERED_KEY] = {**dict(recent), data["once"]: kit.pk}
            # Shown once, on this response only: the PIN is not stored in readable form anywhere.
            return render(request, "evidence/kit_created.html", {"kit": kit, "pin": pin})
    return render(request, "evidence/kit_register.html", {"form": form, "programmes": programmes})


@_staff
@require_POST
def kit_card(request, kit_id):
    """The person's card as PDF; the PIN comes from the registration page and is checked, never stored."""
    kit = queries.access_kit(request.user, kit_id, purpose="print_card")
    form = forms.CardForm(request.POST)
    if not form.is_valid() or not check_password(form.cleaned_data["pin"], kit.pin_hash):
        raise PermissionDenied(_("Die PIN passt nicht zu diesem Set."))
    status_url = request.build_absolute_uri(reverse("evidence:status"))
    return pdf_response(
        "evidence/pdf/card.html",
        {
            "kit": kit,
            "pin": form.cleaned_data["pin"],
            "status_url": status_url,
            # Only the page address: a code in a URL would stay in the phone's browser history.
            "qr": _qr_data_uri(status_url),
        },
        f"karte-{kit.code}.pdf",
        # Opened in the browser to print, not saved: a downloaded card would keep the PIN readable
        # in the clinic PC's download folder.
        inline=True,
    )


@_staff
def kit_labels(request, kit_id):
    kit = queries.access_kit(request.user, kit_id, purpose="print_labels")
    return pdf_response(
        "evidence/pdf/labels.html",
        {
            "kit": kit,
            "items": list(kit.items.all()),
            "qr": _qr_data_uri(kit.code, scale=3),
            "copies": range(6),
        },
        f"etiketten-{kit.code}.pdf",
    )


# --- staff: one kit ------------------------------------------------------------------
@_staff
def kit_detail(request, kit_id):
    user = request.user
    kit = queries.access_kit(user, kit_id)
    holds = kit.is_open and kit.holder_id == user.organisation_id and not kit.is_pending
    chain = queries.custody_chain(user, kit)
    context = {
        "kit": kit,
        "items": list(kit.items.all()),
        "chain": chain,
        "holds": holds,
        "receives": kit.is_open and kit.pending_to_id == user.organisation_id,
        # The sending site may take back a handover the receiver has not confirmed yet.
        "withdraws": kit.is_open and kit.is_pending and kit.holder_id == user.organisation_id,
        "extensions": list(kit.extensions.all()) if holds else [],
        # The person's decision (and where the kit went) only for the sites that see the full chain.
        "waiver": getattr(kit, "waiver", None)
        if chain is not None and kit.status != KitStatus.DESTROYED
        else None,
    }
    return render(request, "evidence/kit_detail.html", context)


def _action(
    request,
    kit_id,
    form_class,
    template,
    run,
    form_kwargs=None,
    success="",
    receive=False,
    withdraw=False,
    needs_waiver=False,
):
    """Shared shape of every custody action: form, service, message, back to the kit."""
    kit = queries.access_kit(request.user, kit_id, purpose="custody")
    refusal = services.refusal(request.user, kit, receive=receive, withdraw=withdraw)
    if refusal:
        # No form for a site that could not send it: say why, back to the kit.
        messages.error(request, refusal)
        return redirect("evidence:kit_detail", kit_id=kit.pk)
    if needs_waiver and getattr(kit, "waiver", None) is None:
        messages.error(request, _("Ohne erfasste Schweigepflichtentbindung wird kein Set herausgegeben."))
        return redirect("evidence:kit_waiver", kit_id=kit.pk)
    kwargs = form_kwargs(kit) if form_kwargs else {}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            run(kit, form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, success)
            return redirect("evidence:kit_detail", kit_id=kit.pk)
    return render(request, template, {"kit": kit, "form": form})


@_staff
@require_http_methods(["GET", "POST"])
def kit_hand_over(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.HandOverForm,
        "evidence/action_hand_over.html",
        lambda kit, d: services.hand_over(
            request.user, kit, to_site=d["to_site"], seal_number=d["seal_number"], reason=d["reason"]
        ),
        form_kwargs=lambda kit: {"targets": queries.handover_targets(kit)},
        success=_("Übergabe eingetragen. Sie ist offen, bis die empfangende Stelle den Eingang bestätigt."),
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_withdraw_hand_over(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.WithdrawHandOverForm,
        "evidence/action_withdraw.html",
        lambda kit, d: services.withdraw_hand_over(
            request.user, kit, reason=d["reason"], seal_number=d["seal_number"]
        ),
        success=_("Übergabe zurückgenommen. Das Set ist weiter in Verwahrung Ihrer Stelle."),
        withdraw=True,
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_receive(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.ReceiptForm,
        "evidence/action_receive.html",
        lambda kit, d: services.confirm_receipt(
            request.user, kit, seal_number=d["seal_number"], reason=d["reason"]
        ),
        success=_("Eingang bestätigt. Das Set ist jetzt in Ihrer Verwahrung."),
        receive=True,
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_storage(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.StorageForm,
        "evidence/action_storage.html",
        lambda kit, d: services.record_storage(
            request.user, kit, kind=d["kind"], seal_number=d["seal_number"], reason=d["reason"]
        ),
        success=_("Ereignis eingetragen."),
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_extend(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.ExtendForm,
        "evidence/action_extend.html",
        lambda kit, d: services.extend_retention(
            request.user, kit, new_until=d["new_until"], reason=d["reason"]
        ),
        success=_("Aufbewahrung verlängert."),
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_destroy(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.DestroyForm,
        "evidence/action_destroy.html",
        lambda kit, d: services.destroy(
            request.user, kit, witness=d["witness"], seal_number=d["seal_number"], reason=d["reason"]
        ),
        form_kwargs=lambda kit: {"witnesses": queries.witnesses(request.user)},
        success=_("Vernichtung mit Zeugin/Zeuge eingetragen."),
    )


def _waiver_initial(kit):
    waiver = getattr(kit, "waiver", None)
    if waiver is None:
        return None
    fields = ("signed_on", "form_reference", "recipient_kind", "recipient_office")
    return {name: getattr(waiver, name) for name in fields}


@_staff
@require_http_methods(["GET", "POST"])
def kit_waiver(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.WaiverForm,
        "evidence/action_waiver.html",
        lambda kit, d: services.record_waiver(request.user, kit, **d),
        # A recorded waiver is corrected, not typed again.
        form_kwargs=lambda kit: {"initial": _waiver_initial(kit)},
        success=_("Schweigepflichtentbindung erfasst. Jetzt kann das Set herausgegeben werden."),
    )


@_staff
@require_http_methods(["GET", "POST"])
def kit_release(request, kit_id):
    return _action(
        request,
        kit_id,
        forms.ReleaseForm,
        "evidence/action_release.html",
        lambda kit, d: services.release(request.user, kit, seal_number=d["seal_number"], reason=d["reason"]),
        success=_("Herausgabe eingetragen. Das Set ist nicht mehr in Verwahrung des Netzwerks."),
        needs_waiver=True,
    )


@_staff
@require_POST
def kit_call_done(request, kit_id):
    kit = queries.access_kit(request.user, kit_id, purpose="custody")
    try:
        services.mark_call_done(request.user, kit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Anruf als erledigt vermerkt."))
    return redirect("evidence:kit_list")


# --- billing -------------------------------------------------------------------------
@login_required
@never_cache
def billing(request):
    require_perm(request.user, "evidence.view_billing")
    today = timezone.localdate()
    initial = {"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    form = forms.BillingForm(request.GET or initial)
    rows, total = [], 0
    if form.is_valid():
        year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
        rows = queries.billing_rows(request.user, year, quarter)
        total = sum(r["count"] for r in rows)
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            header = [_("Quartal"), _("Klinik"), _("Art der Untersuchung"), _("Anzahl")]
            table = [[f"{year}-Q{quarter}", r["clinic"], r["kind"], r["count"]] for r in rows]
            # The total below an empty row: Excel sorts and filters the block of data it belongs to
            # and leaves the total out; "Summe" in the first column is no quarter, so no reader
            # takes it for a clinic's count. The count stays a number (a number cell in XLSX).
            table += [[], [_("Summe"), "", "", total]]
            filename = f"spurensicherung-abrechnung-{year}-q{quarter}.{fmt}"
            if fmt == "csv":
                return csv_response(header, table, filename)
            return xlsx_response(header, table, filename, title=f"{year}-Q{quarter}")
    return render(
        request,
        "evidence/billing.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            # The shown quarter, also on a first visit without parameters (the initial values).
            "query": urlencode(form.cleaned_data) if form.is_valid() else "",
        },
    )


# --- programmes ------------------------------------------------------------------------
@login_required
@never_cache
def programme_list(request):
    require_perm(request.user, "evidence.manage_programmes")
    return render(
        request, "evidence/programme_list.html", {"programmes": queries.all_programmes(request.user)}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def programme_edit(request, programme_id=None):
    require_perm(request.user, "evidence.manage_programmes")
    programme = None
    initial = None
    if programme_id is not None:
        programme = queries.all_programmes(request.user).filter(pk=programme_id).first()
        if programme is None:
            raise Http404
        initial = {
            "title": programme.title,
            "storage_site": programme.storage_site,
            "clinics": list(programme.clinics.all()),
            "retention_years": programme.retention_years,
            "is_active": programme.is_active,
        }
    form = forms.ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_programme(request.user, programme=programme, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Programm gespeichert."))
            return redirect("evidence:programme_list")
    return render(request, "evidence/programme_edit.html", {"form": form, "programme": programme})


# --- public status page -----------------------------------------------------------------
@public_page(form=True)
@require_http_methods(["GET", "POST"])
def status_page(request):
    """Code plus PIN → status, retention end and how to release; same answer for every wrong pair."""
    form = forms.StatusForm(request.POST or None)
    result = None
    http_status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")[:40]
        pin = request.POST.get("pin", "")[:32]
        result = status.lookup(code, pin, ratelimit.client_address(request))
        if result.outcome in (status.LOCKED, status.THROTTLED):
            http_status = 429
        # Never echo the PIN back into the page.
        form = forms.StatusForm(initial={"code": code})
    context = {
        "form": form,
        "result": result,
        "kit": result.kit if result and result.outcome == status.OK else None,
        "outcome": result.outcome if result else None,
        "offers": counselling.local_offers(),
    }
    return render(request, "evidence/status.html", context, status=http_status)
