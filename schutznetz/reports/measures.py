"""The measures of the network's statistics: one documented function each.

Every measure takes a :class:`Period` (a year, optionally one quarter) and a
:class:`Scope` (the whole county, or one organisation) and returns a
:class:`Result`: raw tables and figures. Nothing here is shown directly —
:func:`schutznetz.reports.registry.publish` sends every table through
:mod:`schutznetz.reports.disclosure` first.

Rules every measure keeps:

- The docstring states the exact definition; a reader can check it against the
  code below it.
- Counting happens in the database (``Count``/``Sum`` with ``GROUP BY``,
  percentiles with ``percentile_cont`` on PostgreSQL): no Python loop over
  rows, because the county's history grows to a million cases.
- Dates are counted in the network's time zone (``TIME_ZONE``, Europe/Berlin):
  a case created at 23:30 on 31 December belongs to that year.
- A measure whose module is not installed (or whose tables are missing)
  raises :class:`Unavailable`; the registry shows "nicht verfügbar".
- Organisation scope: a case belongs to the organisation that brought it, a
  referral to the organisation it was made to (it makes the first contact),
  an action to the organisation responsible for it, a conference to the
  organisation chairing it, an event to its organiser, a kit to the
  organisation that registered it, a shelter to its provider.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.aggregates import Aggregate
from django.db.models.functions import ExtractMonth, ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.reports.disclosure import Table

MONTHS = (
    _("Januar"), _("Februar"), _("März"), _("April"), _("Mai"), _("Juni"), _("Juli"), _("August"),
    _("September"), _("Oktober"), _("November"), _("Dezember"),
)  # fmt: skip
NOT_STATED = _("ohne Angabe")
OTHER_ORGANISATIONS = _("andere Organisationen")


class Unavailable(Exception):
    """The data this measure needs does not exist (module not installed or not migrated)."""


# --- period and scope --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    def __post_init__(self):
        if not 1990 <= int(self.year) <= 2999:
            raise ValueError(_("Jahr: bitte ein Jahr zwischen 1990 und 2999 angeben."))
        if self.quarter is not None and self.quarter not in (1, 2, 3, 4):
            raise ValueError(_("Quartal: bitte 1, 2, 3 oder 4 angeben."))

    @property
    def months(self):
        if self.quarter:
            return list(range(3 * self.quarter - 2, 3 * self.quarter + 1))
        return list(range(1, 13))

    @property
    def quarters(self):
        return [self.quarter] if self.quarter else [1, 2, 3, 4]

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.months[0], 1)

    @property
    def end(self) -> dt.date:
        """First day after the period."""
        last = self.months[-1]
        return dt.date(self.year + 1, 1, 1) if last == 12 else dt.date(self.year, last + 1, 1)

    @property
    def start_dt(self):
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_dt(self):
        return timezone.make_aware(dt.datetime.combine(self.end, dt.time.min))

    def previous_year(self):
        return Period(self.year - 1, self.quarter)

    @property
    def label(self):
        return f"Q{self.quarter} {self.year}" if self.quarter else str(self.year)

    def __str__(self):
        return self.label


@dataclass(frozen=True)
class Scope:
    """Whose numbers: ``organisation=None`` is the whole county.

    ``viewer_organisation`` is set for a partner looking at county numbers:
    breakdowns by organisation then show only the viewer's own organisation
    and "andere Organisationen" combined, never another partner's row.
    """

    organisation: object | None = None
    viewer_organisation: object | None = None

    @property
    def label(self):
        return str(self.organisation) if self.organisation else str(_("Kreis gesamt"))


# --- results -------------------------------------------------------------------------------


@dataclass
class Figure:
    """One number beside the tables.

    kind ``count`` (goes through the cell rule), ``share`` (numerator/base,
    hidden below the minimum base), ``statistic`` (a median etc. over ``n``
    cases, hidden below the minimum base), ``plain`` (not about persons, e.g.
    the number of conferences held), ``total`` (the published total of the
    measure's table number ``table``: the very same cell, so secondary
    suppression, withholding and differencing protection of that table carry
    over — a separately computed count could give a protected total back),
    ``text`` (a remark such as "nicht erfasst").
    """

    label: str
    kind: str
    value: float | int | None
    base: int | None = None
    unit: str = ""
    table: int | None = None


@dataclass
class Result:
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    items: list = field(default_factory=list)  # plain lists, e.g. the events held (no persons)


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    function: object
    chart: bool = True
    # False: the measure describes the present state (e.g. the gap analysis), not a past period.
    historical: bool = True

    @property
    def definition(self):
        """The docstring (German); on English pages its translation from ``definitions_en``."""
        from django.utils import translation

        from schutznetz.reports.definitions_en import DEFINITIONS_EN

        if (translation.get_language() or "").startswith("en") and self.key in DEFINITIONS_EN:
            return DEFINITIONS_EN[self.key]
        return " ".join((self.function.__doc__ or "").split())


REGISTRY: dict[str, Measure] = {}


def measure(key, title, chart=True, historical=True):
    def register(function):
        REGISTRY[key] = Measure(key, title, function, chart, historical)
        return function

    return register


def model(label):
    try:
        return apps.get_model(label)
    except LookupError as exc:
        raise Unavailable(_("Modul %(label)s ist nicht installiert.") % {"label": label}) from exc


def _grouped(queryset, key, value=None):
    """{group: count or sum} from one GROUP BY query."""
    aggregate = Sum(value) if value else Count("pk")
    return {row[key]: row["n"] or 0 for row in queryset.order_by().values(key).annotate(n=aggregate)}


def _choices_table(title, choices, counts, heading, definition="", extra_rows=(), shared_totals=False):
    labels = [label for _value, label in choices] + [label for label, _v in extra_rows]
    values = [counts.get(value, 0) for value, _label in choices] + [v for _label, v in extra_rows]
    return Table(
        title=title, rows=labels, values=values, row_heading=heading, definition=definition,
        shared_totals=shared_totals,
    )  # fmt: skip


# --- cases ---------------------------------------------------------------------------------


def cases_in(period, scope):
    Case = model("cases.Case")
    queryset = Case.objects.filter(created_at__gte=period.start_dt, created_at__lt=period.end_dt)
    if scope.organisation is not None:
        queryset = queryset.filter(bringing_organisation=scope.organisation)
    return queryset


@measure("cases_by_category", _("Fälle nach Kategorie"))
def cases_by_category(period, scope):
    """Anzahl der Fälle, die im Zeitraum angelegt wurden (Datum „angelegt am“, Ortszeit), nach
    Kategorie des Falls. Bei einer Organisation: die von ihr eingebrachten Fälle."""
    from schutznetz.cases.models import Category

    counts = _grouped(cases_in(period, scope), "category")
    return Result(
        [
            _choices_table(
                _("Fälle nach Kategorie"), Category.choices, counts, _("Kategorie"), shared_totals=True
            )
        ]
    )


@measure("cases_by_month", _("Fälle nach Monat"))
def cases_by_month(period, scope):
    """Anzahl der im Zeitraum angelegten Fälle nach Kalendermonat des Anlegens (Ortszeit)."""
    counts = _grouped(cases_in(period, scope).annotate(m=ExtractMonth("created_at")), "m")
    rows = [MONTHS[m - 1] for m in period.months]
    return Result(
        [
            Table(
                _("Fälle nach Monat"),
                rows,
                [counts.get(m, 0) for m in period.months],
                row_heading=_("Monat"),
                shared_totals=True,
            )  # fmt: skip
        ]
    )


@measure("cases_by_organisation", _("Fälle nach einbringender Organisation"))
def cases_by_organisation(period, scope):
    """Anzahl der im Zeitraum angelegten Fälle nach der Organisation, die den Fall eingebracht hat.
    Partner sehen auf Kreisebene nur die eigene Zeile und „andere Organisationen“ zusammen."""
    Organisation = model("accounts.Organisation")
    counts = _grouped(cases_in(period, scope), "bringing_organisation")
    if scope.viewer_organisation is not None and scope.organisation is None:
        own = counts.get(scope.viewer_organisation.pk, 0)
        others = sum(n for pk, n in counts.items() if pk != scope.viewer_organisation.pk)
        rows, values = [str(scope.viewer_organisation), OTHER_ORGANISATIONS], [own, others]
    else:
        organisations = Organisation.objects.filter(pk__in=counts).order_by("name").values_list("pk", "name")
        rows = [name for _pk, name in organisations]
        values = [counts[pk] for pk, _name in organisations]
    table = Table(
        _("Fälle nach einbringender Organisation"), rows, values, row_heading=_("Organisation"),
        shared_totals=True,
    )  # fmt: skip
    return Result([table])


def municipalities():
    """The region's towns and municipalities, sorted: the same names a case can be given (one source, the
    directory's region; see ``schutznetz.cases.municipalities``)."""
    model("directory.Municipality")
    from schutznetz.cases.municipalities import municipality_names

    return municipality_names()


@measure("cases_by_municipality", _("Fälle nach Stadt/Gemeinde"))
def cases_by_municipality(period, scope):
    """Anzahl der im Zeitraum angelegten Fälle nach der Stadt oder Gemeinde des Falls (Wohnort
    der gefährdeten Person, wie im Fall erfasst); Fälle ohne Ort als „ohne Angabe“; Orte außerhalb
    des Kreises zusammen als „außerhalb“."""
    names = municipalities()
    counts = _grouped(cases_in(period, scope), "municipality")
    known = [counts.get(name, 0) for name in names]
    outside = sum(n for name, n in counts.items() if name and name not in names)
    rows = [*names, _("außerhalb des Kreises"), NOT_STATED]
    values = [*known, outside, counts.get("", 0)]
    table = Table(
        _("Fälle nach Stadt/Gemeinde"), rows, values, row_heading=_("Stadt/Gemeinde"), shared_totals=True
    )
    return Result([table])


@measure("high_risk_share", _("Anteil der Hochrisikofälle"))
def high_risk_share(period, scope):
    """Anteil der im Zeitraum angelegten Fälle mit Risikostufe „Hoch“ (aktuelle Stufe des Falls)
    an allen im Zeitraum angelegten Fällen mit einer Risikostufe; Fälle ohne Einschätzung zählen
    nicht zur Basis und werden gesondert ausgewiesen."""
    from schutznetz.cases.models import RiskBand

    counts = _grouped(cases_in(period, scope), "risk_band")
    assessed = sum(counts.get(value, 0) for value in RiskBand.values)
    table = _choices_table(
        _("Fälle nach Risikostufe"), RiskBand.choices, counts, _("Risikostufe"),
        extra_rows=[(_("nicht eingeschätzt"), counts.get("", 0))], shared_totals=True,
    )  # fmt: skip
    share = Figure(_("Anteil Hochrisikofälle"), "share", counts.get(RiskBand.HIGH, 0), base=assessed)
    return Result([table], [share])


@measure("conferences", _("Fallkonferenzen und Fälle je Konferenz"))
def conferences(period, scope):
    """Zahl der im Zeitraum durchgeführten Fallkonferenzen (Status „durchgeführt“, Datum im
    Zeitraum), je Quartal; Fälle je Konferenz = Zahl der Tagesordnungspunkte (besprochene Fälle)
    dieser Konferenzen geteilt durch ihre Zahl. Bei einer Organisation: Konferenzen, die sie moderiert."""
    Conference = model("cases.Conference")
    AgendaItem = model("cases.AgendaItem")
    held = Conference.objects.filter(status="held", date__gte=period.start, date__lt=period.end)
    if scope.organisation is not None:
        held = held.filter(chair_organisation=scope.organisation)
    per_quarter = _grouped(held.annotate(q=ExtractQuarter("date")), "q")
    items = _grouped(
        AgendaItem.objects.filter(conference__in=held).annotate(q=ExtractQuarter("conference__date")), "q"
    )
    rows = [f"Q{q}" for q in period.quarters]
    conf_table = Table(
        _("Durchgeführte Konferenzen nach Quartal"), rows, [per_quarter.get(q, 0) for q in period.quarters],
        row_heading=_("Quartal"), counts_persons=False,
    )  # fmt: skip
    case_table = Table(
        _("Besprochene Fälle nach Quartal"), rows, [items.get(q, 0) for q in period.quarters],
        row_heading=_("Quartal"),
    )  # fmt: skip
    n_conf, n_items = sum(per_quarter.values()), sum(items.values())
    figures = [
        Figure(_("Durchgeführte Konferenzen"), "plain", n_conf),
        Figure(
            _("Fälle je Konferenz (Mittelwert)"),
            "statistic",
            n_items / n_conf if n_conf else None,
            base=n_items,
        ),
    ]
    return Result([conf_table, case_table], figures)


@measure("actions_on_time", _("Maßnahmen fristgerecht erledigt"))
def actions_on_time(period, scope):
    """Maßnahmen mit Fälligkeitsdatum im Zeitraum: „fristgerecht erledigt“ (Status erledigt,
    erledigt am oder vor dem Fälligkeitstag), „verspätet erledigt“, „offen und überfällig“ (noch
    offen oder in Arbeit, Fälligkeit vor heute), „offen, noch nicht fällig“. Entfallene Maßnahmen
    zählen nicht. Anteil = fristgerecht / alle erledigten und überfälligen."""
    Action = model("cases.Action")
    today = timezone.localdate()
    actions = Action.objects.filter(due_date__gte=period.start, due_date__lt=period.end)
    if scope.organisation is not None:
        actions = actions.filter(organisation=scope.organisation)
    open_q = Q(status__in=["open", "in_progress"])
    counts = actions.aggregate(
        on_time=Count("pk", filter=Q(status="done", completed_on__lte=F("due_date"))),
        late=Count("pk", filter=Q(status="done", completed_on__gt=F("due_date"))),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        pending=Count("pk", filter=open_q & Q(due_date__gte=today)),
    )
    rows = [
        _("fristgerecht erledigt"),
        _("verspätet erledigt"),
        _("offen und überfällig"),
        _("offen, noch nicht fällig"),
    ]
    values = [counts["on_time"], counts["late"], counts["overdue"], counts["pending"]]
    base = counts["on_time"] + counts["late"] + counts["overdue"]
    table = Table(_("Maßnahmen nach Erledigung"), rows, values, row_heading=_("Stand"))
    return Result([table], [Figure(_("Anteil fristgerecht erledigt"), "share", counts["on_time"], base=base)])


class Percentile(Aggregate):
    """percentile_cont(p) WITHIN GROUP (ORDER BY expr) — PostgreSQL only."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(queryset, expression, fractions):
    """Percentiles with linear interpolation between ranks (as ``percentile_cont``).

    PostgreSQL computes them in one aggregate; elsewhere two ordered look-ups
    (``LIMIT 1 OFFSET k``) per fraction fetch only the neighbouring values.
    """
    annotated = queryset.annotate(_v=expression).filter(_v__isnull=False)
    if connection.vendor == "postgresql":
        aggregates = {
            f"p{i}": Percentile("_v", p, output_field=expression.output_field)
            for i, p in enumerate(fractions)
        }
        aggregates["n"] = Count("pk")
        row = annotated.order_by().aggregate(**aggregates)
        return row["n"], [row[f"p{i}"] for i in range(len(fractions))]
    n = annotated.count()
    if not n:
        return 0, [None for _f in fractions]
    ordered = annotated.order_by("_v").values_list("_v", flat=True)
    result = []
    for p in fractions:
        position = p * (n - 1)
        low, high = math.floor(position), math.ceil(position)
        a = ordered[low]
        b = ordered[high] if high != low else a
        result.append(a + (b - a) * (position - low))
    return n, result


@measure("time_to_first_contact", _("Zeit von der Vermittlung bis zum Erstkontakt"))
def time_to_first_contact(period, scope):
    """Für Vermittlungen mit Datum „vermittelt am“ im Zeitraum und erfasstem Erstkontakt: Zeit
    vom Vermitteln bis zum Erstkontakt in Tagen; Median und 90. Perzentil (lineare Interpolation
    zwischen den Rängen). Vermittlungen ohne Erstkontakt werden gezählt, gehen aber nicht in die
    Zeiten ein. Vorschläge an die Fallkonferenz sind keine Vermittlung an einen Partner (sie haben
    keinen Erstkontakt) und zählen nicht. Bei einer Organisation: Vermittlungen an sie."""
    Referral = model("cases.Referral")
    referrals = Referral.objects.filter(
        referred_at__gte=period.start_dt, referred_at__lt=period.end_dt, to_organisation__isnull=False
    )
    if scope.organisation is not None:
        referrals = referrals.filter(to_organisation=scope.organisation)
    delta = ExpressionWrapper(F("first_contact_at") - F("referred_at"), output_field=DurationField())
    n, (median, p90) = percentiles(referrals, delta, [0.5, 0.9])
    counts = referrals.aggregate(
        contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
        not_contacted=Count("pk", filter=Q(first_contact_at__isnull=True)),
    )
    table = Table(
        _("Vermittlungen nach Erstkontakt"), [_("Erstkontakt erfasst"), _("kein Erstkontakt erfasst")],
        [counts["contacted"], counts["not_contacted"]], row_heading=_("Vermittlungen"),
    )  # fmt: skip

    def days(value):
        return None if value is None else value.total_seconds() / 86400

    figures = [
        Figure(_("Median bis zum Erstkontakt"), "statistic", days(median), base=n, unit=str(_("Tage"))),
        Figure(_("90. Perzentil bis zum Erstkontakt"), "statistic", days(p90), base=n, unit=str(_("Tage"))),
    ]
    return Result([table], figures)


@measure("repeat_rate", _("Wiederholungsfälle innerhalb von 12 Monaten"))
def repeat_rate(period, scope):
    """Anteil der im Zeitraum angelegten Fälle, die als Wiederholungsfall markiert sind (eine Person
    des Falls stimmt über den Blindindex mit einer Person eines Falls überein, der in den 12 Monaten
    davor angelegt wurde, oder zum Fall wurde innerhalb von 12 Monaten nach seiner letzten
    Fallkonferenz ein neuer Vorfall erfasst), an allen im Zeitraum angelegten Fällen. Gezählt wird
    im Zeitraum, in dem der Fall angelegt wurde."""
    counts = cases_in(period, scope).aggregate(
        repeat=Count("pk", filter=Q(is_repeat=True)), first=Count("pk", filter=Q(is_repeat=False))
    )
    table = Table(
        _("Fälle nach Wiederholung"), [_("Wiederholungsfall"), _("kein Wiederholungsfall")],
        [counts["repeat"], counts["first"]], row_heading=_("Fälle"), shared_totals=True,
    )  # fmt: skip
    base = counts["repeat"] + counts["first"]
    return Result([table], [Figure(_("Wiederholungsquote"), "share", counts["repeat"], base=base)])


@measure("children_affected", _("Betroffene Kinder"))
def children_affected(period, scope):
    """Summe der Zahl der Kinder („Anzahl Kinder“ des Falls) über die im Zeitraum angelegten
    Fälle, nach Kategorie des Falls; dazu die Zahl der Fälle mit mindestens einem Kind."""
    from schutznetz.cases.models import Category

    cases = cases_in(period, scope)
    counts = _grouped(cases, "category", "children_count")
    with_children = cases.filter(children_count__gt=0).count()
    table = _choices_table(
        _("Betroffene Kinder nach Kategorie des Falls"), Category.choices, counts, _("Kategorie")
    )
    return Result([table], [Figure(_("Fälle mit Kindern"), "count", with_children)])


# --- directory -----------------------------------------------------------------------------


@measure("shelter_availability", _("Frauenhausplätze: freie Tage und nicht vermittelte Anfragen"))
def shelter_availability(period, scope):
    """Je Schutzeinrichtung: Zahl der Kalendertage im Zeitraum, an denen laut Belegungsmeldung
    mindestens ein Platz frei war (letzte Meldung des Tages zählt). Dazu die nicht vermittelten
    Anfragen: Summe der Anfragen, die ein Frauenhaus nicht aufnehmen konnte, wie sie die
    Mitarbeiterinnen bei jeder Belegungsmeldung „seit der letzten Meldung“ je Grund angeben
    (anonyme Anzahl; Meldungen mit Zeitpunkt im Zeitraum, Ortszeit), nach Grund und insgesamt.
    Dieselbe Frau kann bei mehreren Häusern angefragt haben: gezählt werden Anfragen, nicht
    Personen. Enthält keine Meldung im Zeitraum diese Angaben, heißt es „nicht erfasst“; beginnt
    die Erfassung im Zeitraum, ist ihr erster Tag angegeben. Bei einer Organisation: ihre
    Einrichtungen."""
    from schutznetz.reports import directory_adapter

    return directory_adapter.shelter_availability(period, scope)


@measure("directory_coverage", _("Abdeckung des Hilfeangebots (Europarat-Standards)"), historical=False)
def directory_coverage(period, scope):
    """Abdeckung der Mindeststandards des Europarats (u. a. ein Frauenhausplatz je 10.000
    Einwohner:innen, eine Beratungsstelle je 50.000 Frauen, ein Notruf rund um die Uhr) nach der
    Lückenanalyse des Hilfeverzeichnisses zum Zeitpunkt der Auswertung; Zahl der Angebote,
    Soll und Ist je Standard."""
    from schutznetz.reports import directory_adapter

    return directory_adapter.coverage(period, scope)


# --- evidence ------------------------------------------------------------------------------


@measure("evidence_kits", _("Spurensicherung: Befundsets je Quartal"))
def evidence_kits(period, scope):
    """Zahl der vertraulich gesicherten Befundsets je Quartal: gesichert (Datum der Sicherung im
    Quartal), freigegeben (an Ermittlungsbehörden herausgegeben, Datum der Freigabe im Quartal),
    vernichtet (Datum der Vernichtung im Quartal). Bei einer Organisation: von ihr registrierte Sets."""
    from schutznetz.reports import evidence_adapter

    return evidence_adapter.kits_per_quarter(period, scope)


# --- events --------------------------------------------------------------------------------


@measure("event_participants", _("Teilnehmende an Veranstaltungen nach Berufsfeld"))
def event_participants(period, scope):
    """Teilnehmende (eingecheckt) an Veranstaltungen, die im Zeitraum begonnen haben, nach
    Berufsfeld. Für Veranstaltungen, deren Anmeldedaten schon gelöscht sind, zählt die dabei
    aufbewahrte Statistik „teilgenommen“. Dazu die Liste der durchgeführten Veranstaltungen."""
    Event = model("events.Event")
    Registration = model("events.Registration")
    EventStatistic = model("events.EventStatistic")
    from schutznetz.events.models import Profession

    events = Event.objects.filter(starts_at__gte=period.start_dt, starts_at__lt=period.end_dt)
    if scope.organisation is not None:
        events = events.filter(organiser=scope.organisation)
    live = _grouped(
        Registration.objects.filter(
            event__in=events.filter(personal_data_erased_at__isnull=True), checked_in_at__isnull=False
        ),
        "profession",
    )
    kept = _grouped(
        EventStatistic.objects.filter(event__in=events.filter(personal_data_erased_at__isnull=False)),
        "profession",
        "attended",
    )
    counts = {p: live.get(p, 0) + kept.get(p, 0) for p in Profession.values}
    table = _choices_table(_("Teilnehmende nach Berufsfeld"), Profession.choices, counts, _("Berufsfeld"))
    held = [
        {"title": title, "date": starts_at}
        for title, starts_at in events.filter(is_published=True)
        .order_by("starts_at")
        .values_list("title", "starts_at")
    ]
    return Result([table], [Figure(_("Veranstaltungen"), "plain", len(held))], items=held)
