"""Calendar files (RFC 5545) for meetings."""

from django.conf import settings
from django.utils import timezone
from icalendar import Event

from schutznetz.core.calendar import new_calendar


def _event(meeting):
    event = Event()
    event.add("uid", f"{meeting.uid}@schutznetz")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("sequence", meeting.sequence)
    agenda = "\n".join(f"TOP {item.position}: {item.title}" for item in meeting.agenda_items.all())
    event.add("description", f"{meeting.body_label}\n\n{agenda}".strip())
    event.add("url", settings.SCHUTZNETZ_SITE_URL + meeting.get_absolute_url())
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    return event


def meetings_ics(meetings):
    calendar = new_calendar("Netzwerk", settings.SCHUTZNETZ_NETWORK_NAME)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()
