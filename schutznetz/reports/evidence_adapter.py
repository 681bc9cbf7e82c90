"""Measures over confidential evidence collection (issue 5): kits per quarter."""

from django.db.models.functions import ExtractQuarter
from django.utils.translation import gettext_lazy as _

from schutznetz.reports.disclosure import Table
from schutznetz.reports.measures import Result, _grouped, model


def kits_per_quarter(period, scope):
    Kit = model("evidence.Kit")
    CustodyEvent = model("evidence.CustodyEvent")
    kits = Kit.objects.all()
    if scope.organisation is not None:
        kits = kits.filter(clinic=scope.organisation)
    collected = _grouped(
        kits.filter(examined_at__gte=period.start_dt, examined_at__lt=period.end_dt).annotate(
            q=ExtractQuarter("examined_at")
        ),
        "q",
    )
    events = CustodyEvent.objects.filter(occurred_at__gte=period.start_dt, occurred_at__lt=period.end_dt)
    if scope.organisation is not None:
        events = events.filter(kit__clinic=scope.organisation)
    by_kind = {
        kind: _grouped(events.filter(kind=kind).annotate(q=ExtractQuarter("occurred_at")), "q")
        for kind in ("released", "destroyed")
    }
    rows = [f"Q{q}" for q in period.quarters]

    def table(title, counts):
        return Table(title, rows, [counts.get(q, 0) for q in period.quarters], row_heading=_("Quartal"))

    return Result(
        [
            table(_("Gesicherte Befundsets"), collected),
            table(_("Freigegebene Befundsets"), by_kind["released"]),
            table(_("Vernichtete Befundsets"), by_kind["destroyed"]),
        ]
    )
