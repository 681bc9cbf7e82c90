"""Measures over the directory (issue 3): shelter availability history and the gap analysis.

Kept apart from ``measures.py`` so the coupling to the directory's models sits
in one small file.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.reports.disclosure import PlainTable, Table
from schutznetz.reports.measures import Figure, Result, Unavailable, model

SHELTER_KIND = "frauenhaus"


def shelter_availability(period, scope):
    Offer = model("directory.Offer")
    ShelterReport = model("directory.ShelterReport")
    shelters = Offer.objects.filter(kinds__contains=f"|{SHELTER_KIND}|")
    if scope.organisation is not None:
        shelters = shelters.filter(provider__organisation=scope.organisation)
    reports = ShelterReport.objects.filter(
        offer__in=shelters, reported_at__gte=period.start_dt, reported_at__lt=period.end_dt
    ).annotate(day=TruncDate("reported_at"))
    per_offer = {
        row["offer"]: row
        for row in reports.order_by()
        .values("offer")
        .annotate(
            reported=Count("day", distinct=True),
            free=Count("day", distinct=True, filter=Q(free_places__gt=0)),
        )
    }
    days = (period.end - period.start).days
    rows = [
        [name, days, per_offer.get(pk, {}).get("reported", 0), per_offer.get(pk, {}).get("free", 0)]
        for pk, name in shelters.order_by("name").values_list("pk", "name")
    ]
    table = PlainTable(
        _("Schutzeinrichtungen: Tage mit freiem Platz"),
        [_("Einrichtung"), _("Tage im Zeitraum"), _("Tage mit Meldung"), _("Tage mit freiem Platz")],
        rows,
    )
    tables = [table]
    figures = [Figure(_("Tage mit freiem Platz (alle Einrichtungen)"), "plain", sum(r[3] for r in rows))]
    declined, since = declined_requests(period, scope)
    if declined is None:
        figures.append(Figure(_("Nicht vermittelte Anfragen"), "text", str(_("nicht erfasst"))))
    else:
        tables.append(declined)
        figures.append(Figure(_("Nicht vermittelte Anfragen"), "total", None, table=len(tables) - 1))
        if since is not None:
            figures.append(Figure(_("Nicht vermittelte Anfragen erfasst seit"), "text", since))
    return Result(tables, figures)


def declined_requests(period, scope):
    """(table, since): requests shelters could not admit, by reason, as a table of counts of
    people (so it goes through disclosure control: "<5", secondary suppression, differencing for
    partners), or None when no report in the period recorded them; ``since`` is the first day
    with counts when recording began inside the period (earlier reports have none), else None."""
    model("directory.ShelterReport")
    from schutznetz.directory.models import DECLINE_REASONS
    from schutznetz.directory.queries import declined_request_counts

    counts = declined_request_counts(period.start_dt, period.end_dt, scope.organisation)
    if not counts.recorded:
        return None, None
    table = Table(
        _("Nicht vermittelte Anfragen nach Grund"),
        [label for _name, label in DECLINE_REASONS],
        [counts.by_reason[name] for name, _label in DECLINE_REASONS],
        row_heading=_("Grund"),
    )
    since = None
    if counts.unrecorded_reports:
        since = timezone.localdate(counts.first_recorded_at).strftime("%d.%m.%Y")
    return table, since


def coverage(period, scope):
    model("directory.Municipality")
    try:
        from schutznetz.directory.gaps import gap_analysis
    except ImportError as exc:
        raise Unavailable(str(exc)) from exc
    report = gap_analysis()
    rows = [
        [s["label"], _number(s["required"]), _number(s["available"]), _number(s["deficit"])]
        for s in report["standards"]
    ]
    table = PlainTable(
        _("Mindeststandards des Europarats: Soll und Ist"),
        [_("Standard"), _("erforderlich"), _("vorhanden"), _("fehlend")],
        rows,
    )
    met = sum(1 for s in report["standards"] if not s["deficit"])
    figures = [Figure(_("Erfüllte Standards"), "text", f"{met} / {len(report['standards'])}")]
    return Result([table], figures)


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else round(value, 1)
