"""iCalendar (RFC 5545) files: one way to start a calendar for every module."""

from icalendar import Calendar


def new_calendar(product, name=None):
    """An empty VCALENDAR for ``product`` (e.g. "Netzwerk"), optionally named for calendar apps."""
    calendar = Calendar()
    calendar.add("prodid", f"-//schutznetz//{product}//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", str(name))
    return calendar
