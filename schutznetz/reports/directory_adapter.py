"""Measures over the directory (issue 3): shelter availability history and the gap analysis.

Kept apart from ``measures.py`` so the coupling to the directory's models sits
in one small file.
"""

from schutznetz.reports.measures import Result, Unavailable, model


def shelter_availability(period, scope):
    model("directory.Shelter")
    raise Unavailable("Belegungsverlauf des Hilfeverzeichnisses fehlt noch.")


def coverage(period, scope):
    model("directory.Service")
    raise Unavailable("Lückenanalyse des Hilfeverzeichnisses fehlt noch.")
