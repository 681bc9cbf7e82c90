from django.utils import timezone

from schutznetz.events import queries


def panels(user):
    if not user.has_perm("events.manage_events"):
        return []
    upcoming = list(queries.events_for(user).filter(ends_at__gte=timezone.now()).order_by("starts_at")[:3])
    if not upcoming:
        return []
    return [{"template": "events/dashboard_panel.html", "context": {"upcoming_events": upcoming}}]
