"""Thin views: parse, call a service or a query, render."""

import functools
import json
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from schutznetz.core import ratelimit
from schutznetz.core.decorators import public_page
from schutznetz.core.exports import csv_response, xlsx_response
from schutznetz.core.pdf import pdf_response
from schutznetz.events import ical, limits, queries, services
from schutznetz.events.forms import (
    HONEYPOT_FIELD,
    MailForm,
    ParticipantDetailsForm,
    ParticipantFilterForm,
    RegistrationForm,
    TicketForm,
)
from schutznetz.events.models import ItemKind, Profession, Status

logger = logging.getLogger(__name__)

BUSY_MARKERS = (
    "database is locked",
    "database table is locked",
    "could not obtain lock",
    "deadlock detected",
)


class SeeOther(HttpResponseRedirect):
    """Post/Redirect/Get: a successful POST answers "see this page" (303), so that reloading the
    page that follows, or going back to it, never sends the form again."""

    status_code = 303


def _is_busy(exc):
    text = str(exc).lower()
    return any(marker in text for marker in BUSY_MARKERS)


def busy_as_503(view):
    """An overloaded database is retried once, then answered with a clear 503, never a 500."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        for attempt in range(2):
            try:
                return view(request, *args, **kwargs)
            except OperationalError as exc:
                if not _is_busy(exc):
                    raise
                logger.warning("Datenbank ausgelastet (%s, Versuch %d): %s", request.path, attempt + 1, exc)
        response = render(request, "events/busy.html", status=503)
        response["Retry-After"] = "10"
        return response

    return wrapper


def _refused(request, event, form, refusal):
    """Too many forms from this address: the form stays filled in, and the page says from when on
    it is accepted again and whom to write to. The same answer for both limits, so it tells
    nothing about other people's registrations."""
    context = _detail_context(event, form)
    context["refused_until"] = refusal.retry_at
    response = render(request, "events/detail.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after_seconds())
    return response


def _json_ld(event, request):
    url = settings.SCHUTZNETZ_SITE_URL + event.get_absolute_url()
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.summary or event.description[:500],
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "url": url,
        "inLanguage": "de",
        "isAccessibleForFree": event.is_free,
        "location": {
            "@type": "Place",
            "name": event.venue_name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": event.venue_street,
                "postalCode": event.venue_postcode,
                "addressLocality": event.venue_city,
                "addressCountry": "DE",
            },
        },
        "organizer": {"@type": "Organization", "name": event.organiser.name},
        "maximumAttendeeCapacity": event.capacity,
    }
    if event.audience:
        data["audience"] = {"@type": "Audience", "audienceType": event.audience}
    if event.is_free:
        data["offers"] = {
            "@type": "Offer",
            "price": "0",
            "priceCurrency": "EUR",
            "url": url,
            "availability": "https://schema.org/InStock"
            if queries.free_places(event)
            else "https://schema.org/SoldOut",
        }
    performers = [{"@type": "Person", "name": s.name} for s in event.speakers.all()]
    if performers:
        data["performer"] = performers
    text = json.dumps(data, ensure_ascii=False)
    # Inside <script> only "<", ">" and "&" could end or confuse it; escape them as JSON allows.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - JSON with <, >, & escaped


# --- Public pages ---------------------------------------------------------

# The answer "yes, cancel" (the question page's button; events/cancel.js adds it on the manage
# page once the person has said yes in the browser's dialog).
CANCEL_CONFIRM_FIELD = "bestaetigung"
CANCEL_CONFIRM_VALUE = "ja"


@public_page(no_store=False)
@require_GET
def event_list(request):
    return render(request, "events/list.html", {"events": queries.public_events()})


@public_page(no_store=False)
@require_GET
def calendar_feed(request):
    response = HttpResponse(
        ical.calendar_bytes(queries.public_calendar_events(), name=_("Veranstaltungen")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response


@public_page(no_store=False)
@require_GET
def event_ics(request, slug):
    event = queries.public_event(slug)
    response = HttpResponse(ical.event_bytes(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def _detail_context(event, form):
    programme = list(event.programme.all())
    return {
        "event": event,
        "form": form,
        "programme": programme,
        "free_places": queries.free_places(event),
        "registration_open": event.registration_is_open(),
        "json_ld": _json_ld(event, None),
        "honeypot_field": HONEYPOT_FIELD,
        "ItemKind": ItemKind,
    }


@public_page(form=True)
@require_http_methods(["GET", "HEAD", "POST"])
@busy_as_503
def event_detail(request, slug):
    event = queries.public_event(slug)
    workshops = queries.workshops_with_load(event)
    if request.method != "POST":
        form = RegistrationForm(workshops=workshops)
        return render(request, "events/detail.html", _detail_context(event, form))

    form = RegistrationForm(request.POST, workshops=workshops)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot: the same answer as for a person, and nothing stored.
        return _see_registered(event)
    client = ratelimit.client_address(request)
    refusal = limits.count_submission(event.pk, client)
    if refusal is not None:
        return _refused(request, event, form, refusal)
    if form.is_valid():
        reservation = limits.reserve_registration(event.pk, client)
        if isinstance(reservation, limits.Refusal):
            return _refused(request, event, form, reservation)
        data = form.cleaned_data
        registered = False
        try:
            services.register(
                event.pk,
                name=data["name"],
                email=data["email"],
                organisation_name=data["organisation_name"],
                profession=data["profession"],
                accessibility_needs=data["accessibility_needs"],
                workshop_ids=form.workshop_ids(),
                privacy_consent=data["privacy_consent"],
                language=translation.get_language(),
            )
            registered = True
        except ValidationError as exc:
            _add_errors(form, exc)
        finally:
            if not registered:  # refused by the service, or the database was busy
                reservation.release()
        if registered:
            return _see_registered(event)
    return render(request, "events/detail.html", _detail_context(event, form), status=400)


# The page after a registration is reached by a redirect (Post/Redirect/Get) with a signed,
# short-lived receipt in its address. The receipt holds only the event: it is the same for
# every person (and for a bot caught by the honeypot), so the address, shared or found in a
# history, tells nothing about who registered or whether anybody did; no name, no e-mail
# address. Not the session: public pages set no cookie.
RECEIPT_SALT = "schutznetz.events.registered"
RECEIPT_MAX_AGE = 60 * 60  # seconds: long enough to reload the page, too short to matter later


def _see_registered(event):
    receipt = signing.dumps(event.pk, salt=RECEIPT_SALT)
    return SeeOther(reverse("events:registered", args=[event.slug, receipt]))


@public_page
@require_safe
def registered(request, slug, receipt):
    event = queries.public_event(slug)
    try:
        valid = signing.loads(receipt, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE) == event.pk
    except signing.BadSignature:  # forged, damaged or expired (SignatureExpired is a BadSignature)
        valid = False
    context = {"event": event, "receipt_invalid": not valid}
    response = render(request, "events/registered.html", context, status=200 if valid else 400)
    response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
    return response


def _add_errors(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def personal_link(view):
    """Pages behind a participant's personal link show one person's details: never indexed,
    even if the link ends up somewhere public (a forwarded mail in a web archive)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow, noarchive"
        return response

    return wrapper


def _registration_or_404(token):
    registration = services.registration_for_token(token)
    if registration is None:
        raise Http404(_("Dieser Link ist ungültig oder abgelaufen."))
    return registration


@public_page(form=True)
@require_http_methods(["GET", "HEAD", "POST"])
@busy_as_503
@personal_link
def confirm(request, token):
    """GET shows a button (mail scanners follow links); POST confirms."""
    registration = _registration_or_404(token)
    if request.method == "POST":
        services.confirm(registration.pk)
        return _see_manage(token, CONFIRMED_FLAG)
    return render(request, "events/confirm.html", {"registration": registration, "event": registration.event})


def _manage_page(request, registration, token, form=None, status=200, **flags):
    event = registration.event
    if form is None:
        form = ParticipantDetailsForm(
            initial={
                "name": registration.name,
                "organisation_name": registration.organisation_name,
                "profession": registration.profession,
                "accessibility_needs": registration.accessibility_needs,
                "workshops": [str(w.pk) for w in registration.workshops.all()],
            },
            workshops=queries.workshops_with_load(event),
        )
    context = {
        "registration": registration,
        "event": event,
        "token": token,
        "form": form,
        "can_change": registration.status not in (Status.CANCELLED, Status.EXPIRED)
        and timezone.now() < event.starts_at,
        **flags,
    }
    return render(request, "events/manage.html", context, status=status)


# After a change through the personal link the browser is sent on to the manage page (itself
# behind the secret link), with a flag that only chooses which notice to show; each notice is
# shown only if the registration's state bears it out, so a hand-made flag tells nothing new.
CONFIRMED_FLAG = "bestaetigt"
SAVED_FLAG = "gespeichert"
CANCELLED_FLAG = "storniert"


def _see_manage(token, flag):
    return SeeOther(reverse("events:manage", args=[token]) + f"?{flag}=1")


@public_page(form=True)
@require_http_methods(["GET", "HEAD", "POST"])
@busy_as_503
@personal_link
def manage(request, token):
    registration = _registration_or_404(token)
    if request.method != "POST":
        return _manage_page(
            request,
            registration,
            token,
            just_confirmed=CONFIRMED_FLAG in request.GET
            and (
                registration.email_confirmed_at is not None
                or registration.status in (Status.CANCELLED, Status.EXPIRED)
            ),
            just_saved=SAVED_FLAG in request.GET,
            just_cancelled=CANCELLED_FLAG in request.GET and registration.status == Status.CANCELLED,
        )
    form = ParticipantDetailsForm(request.POST, workshops=queries.workshops_with_load(registration.event))
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.update_registration(
                registration.pk,
                name=data["name"],
                organisation_name=data["organisation_name"],
                profession=data["profession"],
                accessibility_needs=data["accessibility_needs"],
                workshop_ids=form.workshop_ids(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _see_manage(token, SAVED_FLAG)
    return _manage_page(request, registration, token, form=form, status=400)


@public_page(form=True)
@require_http_methods(["GET", "HEAD", "POST"])
@busy_as_503
@personal_link
def cancel(request, token):
    """GET, and a POST without the answer to the question (the manage page's button without
    JavaScript), ask; only the POST that says yes cancels."""
    registration = _registration_or_404(token)
    context = {
        "registration": registration,
        "event": registration.event,
        "confirm_field": CANCEL_CONFIRM_FIELD,
        "confirm_value": CANCEL_CONFIRM_VALUE,
    }
    if request.method == "POST" and request.POST.get(CANCEL_CONFIRM_FIELD) == CANCEL_CONFIRM_VALUE:
        try:
            services.cancel(registration.pk)
        except ValidationError as exc:
            return render(
                request, "events/cancel.html", {**context, "error": " ".join(exc.messages)}, status=400
            )
        return _see_manage(token, CANCELLED_FLAG)
    return render(request, "events/cancel.html", context)


def _qr_data_uri(text):
    return segno.make(text, error="m").png_data_uri(scale=6, border=2)


def ticket_url(registration):
    return (
        settings.SCHUTZNETZ_SITE_URL
        + reverse("events:check_in", args=[registration.event_id])
        + f"?ticket={registration.ticket_code}"
    )


@public_page
@require_GET
@personal_link
def ticket_pdf(request, token):
    registration = _registration_or_404(token)
    if registration.status != Status.CONFIRMED:
        raise Http404(_("Ein Ticket gibt es erst für eine bestätigte Anmeldung."))
    return pdf_response(
        "events/pdf/ticket.html",
        {
            "registration": registration,
            "event": registration.event,
            "qr": _qr_data_uri(ticket_url(registration)),
            "code": registration.ticket_code,
        },
        f"ticket-{registration.event.slug}.pdf",
    )


# --- Staff pages ----------------------------------------------------------


def _staff_event(request, event_id):
    event = queries.access_event(request.user, event_id)
    if not request.user.has_perm("events.manage_event", event):
        raise PermissionDenied
    return event


@login_required
@require_GET
def staff_list(request):
    if not request.user.has_perm("events.manage_events"):
        raise PermissionDenied
    return render(request, "events/staff/list.html", {"events": queries.events_for(request.user)})


@login_required
@require_GET
def staff_event(request, event_id):
    event = _staff_event(request, event_id)
    filter_form = ParticipantFilterForm(request.GET or None)
    rows = queries.participants(request.user, event, **filter_form.filters())
    counts = queries.counts_by_profession(event)
    profession_rows = [
        (label, *counts.get(value, (0, 0))) for value, label in Profession.choices if value in counts
    ]
    return render(
        request,
        "events/staff/event.html",
        {
            "event": event,
            "rows": rows,
            "filter_form": filter_form,
            "profession_rows": profession_rows,
            "query": request.GET.urlencode(),
            "free_places": queries.free_places(event),
        },
    )


EXPORT_HEADER = [
    "Name",
    "E-Mail",
    "Organisation",
    "Berufsfeld",
    "Status",
    "Workshops",
    "Unterstützungsbedarf",
    "Angemeldet am",
    "Eingecheckt am",
]


def _export_rows(rows):
    for r in rows:
        yield [
            r.name,
            r.email,
            r.organisation_name,
            r.get_profession_display(),
            r.get_status_display(),
            ", ".join(w.title for w in r.workshops.all()),
            r.accessibility_needs,
            r.created_at,  # date cells in XLSX, "25.11.2026 10:00" in CSV (core.exports)
            r.checked_in_at,
        ]


@login_required
@require_GET
def export(request, event_id, fmt):
    event = _staff_event(request, event_id)
    filters = ParticipantFilterForm(request.GET or None).filters()
    rows = queries.participants(request.user, event, purpose=f"export-{fmt}", **filters)
    filename = f"teilnehmende-{event.slug}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(EXPORT_HEADER, _export_rows(rows), filename, title="Teilnehmende")
    return csv_response(EXPORT_HEADER, _export_rows(rows), filename)


@login_required
@require_http_methods(["GET", "POST"])
def mail_participants(request, event_id):
    event = _staff_event(request, event_id)
    form = MailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.mail_participants(request.user, event, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Die Nachricht wurde an %(count)d Teilnehmende verschickt.") % {"count": count}
            )
            return redirect("events:staff_event", event.pk)
    return render(request, "events/staff/mail.html", {"event": event, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
@busy_as_503
def check_in(request, event_id):
    """Check-in desk: scan a ticket (the QR code holds this page's address with the code) or search a name."""
    event = _staff_event(request, event_id)
    result = None
    if request.method == "POST":
        if request.POST.get("registration"):
            try:
                registration_id = int(request.POST["registration"])
            except ValueError as exc:
                raise Http404 from exc
            result = services.check_in(request.user, event, registration_id=registration_id)
            ticket_form = TicketForm()
        else:
            ticket_form = TicketForm(request.POST)
            if ticket_form.is_valid():
                result = services.check_in(
                    request.user, event, ticket_code=ticket_form.cleaned_data["ticket"]
                )
                ticket_form = TicketForm()
    else:
        ticket_form = TicketForm(initial={"ticket": request.GET.get("ticket", "")})
    search = request.GET.get("q", "").strip()
    matches = (
        queries.participants(request.user, event, search=search, status=Status.CONFIRMED, purpose="check-in")
        if search
        else []
    )
    scanned = None
    if request.method == "GET" and request.GET.get("ticket"):
        scanned = services.parse_ticket_code(request.GET["ticket"])
    return render(
        request,
        "events/staff/check_in.html",
        {
            "event": event,
            "ticket_form": ticket_form,
            "result": result,
            "search": search,
            "matches": matches,
            "scanned": scanned,
        },
        status=200 if result is None or result.ok else 409,
    )


@login_required
@require_POST
def staff_cancel(request, event_id, registration_id):
    event = _staff_event(request, event_id)
    registration = queries.participant(request.user, event, registration_id)
    try:
        _reg, promoted = services.cancel(registration.pk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Die Anmeldung wurde storniert.")
            + (
                " "
                + _("%(count)d Person(en) von der Warteliste sind nachgerückt.") % {"count": len(promoted)}
                if promoted
                else ""
            ),
        )
    return redirect("events:staff_event", event.pk)


@login_required
@require_GET
def badges_pdf(request, event_id):
    event = _staff_event(request, event_id)
    rows = queries.participants(request.user, event, status=Status.CONFIRMED, purpose="badges")
    return pdf_response(
        "events/pdf/badges.html", {"event": event, "rows": rows}, f"namensschilder-{event.slug}.pdf"
    )


@login_required
@require_GET
def certificates_pdf(request, event_id, registration_id=None):
    event = _staff_event(request, event_id)
    if registration_id is not None:
        rows = [queries.participant(request.user, event, registration_id)]
        if rows[0].checked_in_at is None:
            raise Http404(_("Eine Bescheinigung gibt es nur für eingecheckte Teilnehmende."))
    else:
        rows = queries.participants(request.user, event, checked_in=True, purpose="certificates")
    programme = [i for i in event.programme.all() if i.kind != ItemKind.BREAK]
    for row in rows:
        # Of the parallel workshops, a certificate names only those the person chose.
        chosen = {w.pk for w in row.workshops.all()}
        row.certificate_programme = [i for i in programme if not i.is_workshop or i.pk in chosen]
    return pdf_response(
        "events/pdf/certificates.html",
        {
            "event": event,
            "rows": rows,
            "hours": event.training_hours,
            "issued_on": timezone.localdate(),
            "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
        },
        f"teilnahmebescheinigungen-{event.slug}.pdf",
    )
