"""Who may manage events and see their participants."""

import rules

from schutznetz.core.permissions import is_koordination, is_org_admin


@rules.predicate
def is_organiser_member(user, event):
    if event is None or not (user and user.is_authenticated and user.organisation_id):
        return False
    return event.organiser_id == user.organisation_id


# The coordination runs all events; an organisation's admin runs the events it organises.
rules.add_perm("events.add_event", is_koordination)
rules.add_perm("events.manage_events", is_koordination | is_org_admin)
rules.add_perm("events.manage_event", is_koordination | (is_org_admin & is_organiser_member))
