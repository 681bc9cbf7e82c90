"""Calendar files (RFC 5545) for meetings, and the iTIP messages (RFC 5546) mailed to partners."""

from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Event, vCalAddress, vText

from schutznetz.core.calendar import new_calendar

# Mailed calendar files: an invitation or update asks calendars to add or move the entry, a
# cancellation asks them to remove it. Clients match the entry by UID and keep the highest SEQUENCE.
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _event(meeting, attendee=None, cancelled=None):
    event = Event()
    event.add("uid", f"{meeting.uid}@schutznetz")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("sequence", meeting.sequence)
    agenda = "\n".join(f"TOP {item.position}: {item.title}" for item in meeting.agenda_items.all())
    description = f"{meeting.body_label}\n\n{agenda}".strip()
    if meeting.status == "cancelled" and meeting.cancellation_reason:
        description = f"Abgesagt: {meeting.cancellation_reason}\n\n{description}"
    event.add("description", description)
    event.add("url", settings.SCHUTZNETZ_SITE_URL + meeting.get_absolute_url())
    if cancelled is None:
        cancelled = meeting.status == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if attendee:
        event.add("organizer", _organizer())
        address = vCalAddress(f"mailto:{attendee}")
        # Attendance is recorded by the coordination, not by calendar replies to a no-reply address.
        address.params["rsvp"] = vText("FALSE")
        event.add("attendee", address)
    return event


def _organizer():
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(settings.SCHUTZNETZ_NETWORK_NAME)
    return organizer


def meetings_ics(meetings):
    calendar = new_calendar("Netzwerk", settings.SCHUTZNETZ_NETWORK_NAME)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def meeting_message_ics(meeting, method, attendee):
    """The calendar file mailed to one partner address: ``REQUEST`` (invitation, update) or ``CANCEL``
    (the meeting is cancelled, or this partner is no longer invited: either way the entry goes)."""
    calendar = new_calendar("Netzwerk")
    calendar["method"] = vText(method)
    calendar.add_component(_event(meeting, attendee=attendee, cancelled=True if method == CANCEL else None))
    return calendar.to_ical()
