"""iCalendar (RFC 5545) for events: the public feed and the attachment of the confirmation mail."""

from django.conf import settings
from django.utils import timezone
from icalendar import Event as IEvent

from schutznetz.core.calendar import new_calendar


def _vevent(event):
    item = IEvent()
    host = settings.SCHUTZNETZ_SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "schutznetz"
    item.add("uid", f"event-{event.pk}@{host}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title)
    description = event.summary or event.description
    url = settings.SCHUTZNETZ_SITE_URL + event.get_absolute_url()
    item.add("description", f"{description}\n\n{url}".strip())
    item.add("location", ", ".join(part for part in [event.venue_name, event.venue_address] if part))
    item.add("url", url)
    if event.contact_email:
        item.add("organizer", f"mailto:{event.contact_email}")
    return item


def calendar_bytes(events, name=None) -> bytes:
    calendar = new_calendar("Veranstaltungen", name)
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def event_bytes(event) -> bytes:
    return calendar_bytes([event], name=event.title)
