"""Participants' personal data is erased SCHUTZNETZ_EVENT_RETENTION_DAYS after the event; counts stay."""

from schutznetz.core.retention import RetentionRule
from schutznetz.events.models import Event
from schutznetz.events.services import erase_participants, retention_cutoff


def _due():
    return Event.objects.filter(ends_at__lt=retention_cutoff(), personal_data_erased_at__isnull=True)


def _apply(events):
    return sum(erase_participants(event) for event in events)


def rules():
    return [
        RetentionRule(
            "events.participants",
            "Anmeldungen zu Veranstaltungen, die länger als SCHUTZNETZ_EVENT_RETENTION_DAYS Tage vorbei sind "
            "(Zahlen nach Berufsfeld und Teilnahme bleiben)",
            _due,
            _apply,
        ),
    ]
