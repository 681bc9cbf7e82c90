"""Mail to partners about meetings: invitation, update and cancellation, each with a calendar file.

All three go the same way: one mail per functional contact address of an invited organisation
(addresses of other partners are not disclosed), German text, times in the network's local time.
"""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from schutznetz.network import ics, queries
from schutznetz.network.models import PartnerProfile

WHEN_FORMAT = "l, d.m.Y, H:i"


def recipients(meeting, organisation_ids=None):
    """The contact addresses of the organisations invited to ``meeting`` (or of the organisations
    ``organisation_ids``, invited or not), sorted, each once."""
    if organisation_ids is None:
        organisation_ids = meeting.attendances.values("organisation_id")
    profiles = PartnerProfile.objects.filter(organisation_id__in=organisation_ids).exclude(contact_email="")
    return sorted(set(profiles.values_list("contact_email", flat=True)))


def _send(meeting, subject, template, context, method, organisation_ids=None):
    addresses = recipients(meeting, organisation_ids)
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {
                "meeting": meeting,
                "agenda": meeting.agenda_items.all(),
                "url": settings.SCHUTZNETZ_SITE_URL + meeting.get_absolute_url(),
                "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
                **context,
            },
        )
    sent = 0
    for address in addresses:
        message = EmailMessage(subject, body, to=[address])
        message.attach("sitzung.ics", ics.meeting_message_ics(meeting, method, address), "text/calendar")
        sent += message.send()
    return sent


def mail_invitation(meeting, organisation_ids=None):
    """Send the invitation to each invited organisation's functional contact address (or only to
    ``organisation_ids``, invited after the others); returns the count."""
    return _send(
        meeting,
        f"Einladung: {meeting.title}",
        "network/mail/invitation.txt",
        {"carried": queries.carried_over_tasks(meeting)},
        ics.REQUEST,
        organisation_ids,
    )


def mail_invitation_withdrawn(meeting, organisation_ids):
    """Tell organisations taken off the invitation list that the invitation no longer applies to
    them; the calendar file removes the entry they got with the invitation."""
    return _send(
        meeting,
        f"Einladung zurückgenommen: {meeting.title}",
        "network/mail/invitation_withdrawn.txt",
        {},
        ics.CANCEL,
        organisation_ids,
    )


def mail_cancellation(meeting):
    """Tell the invited organisations that ``meeting`` is cancelled; the calendar file removes it."""
    return _send(meeting, f"Abgesagt: {meeting.title}", "network/mail/cancellation.txt", {}, ics.CANCEL)


# What an update names, in this order: (key in ``changes``, label in the mail).
UPDATE_LABELS = (
    ("starts_at", "Beginn"),
    ("ends_at", "Ende"),
    ("location", "Ort"),
    ("title", "Titel"),
    ("working_group", "Gremium"),
    ("invitation_text", "Einladungstext"),
)


def _shown(key, value):
    if key in ("starts_at", "ends_at"):
        when = timezone.localtime(datetime.datetime.fromisoformat(value))
        return format_date(when, WHEN_FORMAT) + " Uhr"
    if key == "working_group":
        return value or gettext("Netzwerk (Plenum)")
    return value or "–"


def mail_update(meeting, changes):
    """Tell the invited organisations what changed (``{field: [old, new]}``) with an updated calendar file."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = []
        for key, label in UPDATE_LABELS:
            if key not in changes:
                continue
            if key == "invitation_text":
                lines.append("Der Einladungstext wurde geändert (siehe unten).")
            else:
                old, new = changes[key]
                lines.append(f"{label}: {_shown(key, old)} → {_shown(key, new)}")
    return _send(
        meeting,
        f"Geändert: {meeting.title}",
        "network/mail/update.txt",
        {"changes": lines},
        ics.REQUEST,
    )
