"""Statistics over a million cases: the annual report's numbers vs hand-written SQL.

Builds ``BENCH_CASES`` (default 1,000,000) synthetic cases spread over ten
years, with about 1.5 actions and 0.6 referrals per case, conferences and
agenda items, on a throwaway PostgreSQL cluster. Data is generated on the
server (``INSERT … SELECT generate_series``), not as Python objects.

Then, in the same run and on the same data, it times

- ``annual.build(year)``: every number of the annual report (the year and the
  previous year, through the measure registry and disclosure control), and
- the equivalent aggregate queries written by hand in SQL,

and prints their ratio (target: at most 3×). ``EXPLAIN`` of the biggest
queries is printed with ``BENCH_EXPLAIN=1``.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.harness import postgres_database  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
YEAR = 2025
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))

# Hand-written SQL for the same numbers as the registry computes (county scope, one period).
HAND_SQL = [
    "SELECT category, count(*) FROM cases_case WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY category",
    "SELECT extract(month FROM created_at AT TIME ZONE 'Europe/Berlin') AS m, count(*) FROM cases_case "
    "WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY m",
    "SELECT o.name, x.n FROM (SELECT bringing_organisation_id AS id, count(*) AS n FROM cases_case "
    "WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY 1) x JOIN accounts_organisation o ON o.id = x.id",
    "SELECT municipality, count(*) FROM cases_case WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY 1",
    "SELECT risk_band, count(*) FROM cases_case WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY 1",
    "SELECT extract(quarter FROM date) AS q, count(*) FROM cases_conference WHERE status = 'held' "
    "AND date >= %(sd)s AND date < %(ed)s GROUP BY q",
    "SELECT extract(quarter FROM c.date) AS q, count(*) FROM cases_agendaitem a JOIN cases_conference c "
    "ON c.id = a.conference_id WHERE c.status = 'held' AND c.date >= %(sd)s AND c.date < %(ed)s GROUP BY q",
    "SELECT count(*) FILTER (WHERE status = 'done' AND completed_on <= due_date), "
    "count(*) FILTER (WHERE status = 'done' AND completed_on > due_date), "
    "count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_date < current_date), "
    "count(*) FILTER (WHERE status IN ('open', 'in_progress') AND due_date >= current_date) "
    "FROM cases_action WHERE due_date >= %(sd)s AND due_date < %(ed)s",
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY first_contact_at - referred_at), "
    "percentile_cont(0.9) WITHIN GROUP (ORDER BY first_contact_at - referred_at), count(*) FROM cases_referral "
    "WHERE referred_at >= %(s)s AND referred_at < %(e)s AND first_contact_at IS NOT NULL",
    "SELECT count(*) FILTER (WHERE first_contact_at IS NOT NULL), count(*) FILTER (WHERE first_contact_at IS NULL) "
    "FROM cases_referral WHERE referred_at >= %(s)s AND referred_at < %(e)s",
    "SELECT count(*) FILTER (WHERE is_repeat), count(*) FILTER (WHERE NOT is_repeat) FROM cases_case "
    "WHERE created_at >= %(s)s AND created_at < %(e)s",
    "SELECT category, sum(children_count) FROM cases_case WHERE created_at >= %(s)s AND created_at < %(e)s GROUP BY 1",
    "SELECT count(*) FROM cases_case WHERE created_at >= %(s)s AND created_at < %(e)s AND children_count > 0",
    "SELECT r.profession, count(*) FROM events_registration r JOIN events_event e ON e.id = r.event_id "
    "WHERE e.starts_at >= %(s)s AND e.starts_at < %(e)s AND e.personal_data_erased_at IS NULL "
    "AND r.checked_in_at IS NOT NULL GROUP BY 1",
    "SELECT s.profession, sum(s.attended) FROM events_eventstatistic s JOIN events_event e ON e.id = s.event_id "
    "WHERE e.starts_at >= %(s)s AND e.starts_at < %(e)s AND e.personal_data_erased_at IS NOT NULL GROUP BY 1",
    "SELECT title, starts_at FROM events_event WHERE starts_at >= %(s)s AND starts_at < %(e)s AND is_published "
    "ORDER BY starts_at",
]


def setup_django(database_url):
    var_dir = tempfile.mkdtemp(prefix="schutznetz-bench-stat-")
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "SCHUTZNETZ_DEBUG": "1",
            "SCHUTZNETZ_VAR_DIR": var_dir,
            "SCHUTZNETZ_LOG_LEVEL": "WARNING",
            "SCHUTZNETZ_TASKS": "immediate",
            "DJANGO_SETTINGS_MODULE": "schutznetz.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _insert_select(model, expressions, source):
    """INSERT INTO <model table> (every concrete column) SELECT <expressions> FROM <source>.

    Columns are taken from the model, so a new nullable or defaulted field does not break the
    benchmark; a new required field without default stops it with its name.
    """
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.column
        if name in expressions:
            value = expressions[name]
        elif field.attname in expressions:
            value = expressions[field.attname]
        elif field.null:
            value = "NULL"
        elif field.default is not NOT_PROVIDED and not callable(field.default):
            value = repr(field.default) if not isinstance(field.default, bool) else str(field.default).upper()
            value = value.replace('"', "'")
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = "now()"
        elif field.get_internal_type() in ("CharField", "TextField"):
            value = "''"
        else:
            raise SystemExit(f"benchmark: Spalte {model.__name__}.{name} braucht einen Wert")
        columns.append(f'"{name}"')
        values.append(value)
    # Table, columns and expressions come from this file and the model, never from input.
    table = model._meta.db_table
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608


def generate(n_cases):
    from django.db import connection

    from schutznetz.accounts.models import Organisation
    from schutznetz.cases.models import Action, AgendaItem, Case, Conference, Referral
    from schutznetz.reports.measures import municipalities

    orgs = [
        Organisation.objects.create(name=f"Partner {i:02d}", slug=f"partner-{i:02d}", kind="beratungsstelle")
        for i in range(30)
    ]
    org_ids = "ARRAY[" + ",".join(str(o.pk) for o in orgs) + "]"
    places = "ARRAY[" + ",".join("'" + m.replace("'", "''") + "'" for m in municipalities()) + ",'']"
    started = time.monotonic()
    with connection.cursor() as cursor:
        # Bulk load: skip the FK triggers for this session (the generated keys are valid by construction).
        cursor.execute("SET session_replication_role = replica")
        # ten years of cases, evenly spread; created_at = 2016-01-01 + g * (10 years / n)
        cursor.execute(
            _insert_select(
                Case,
                {
                    "number": "'B-' || g",
                    "category": "(ARRAY['haeusliche_gewalt','kindeswohlgefaehrdung','sexualisierte_gewalt',"
                    "'stalking','zwangsverheiratung','sonstige'])[1 + (g * 7) % 6]",
                    "status": "CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END",
                    "municipality": f"({places})[1 + (g * 11) % 15]",
                    "bringing_organisation_id": f"({org_ids})[1 + g % 30]",
                    "lead_organisation_id": f"({org_ids})[1 + (g * 13) % 30]",
                    "created_at": f"timestamptz '2016-01-01 00:00+01' + (g * (interval '3652 days' / {n_cases}))",
                    "risk_band": "(ARRAY['', 'standard', 'medium', 'high'])[1 + (g * 5) % 4]",
                    "children_count": "(g * 3) % 4",
                    "is_repeat": "(g % 9 = 0)",
                },
                f"generate_series(1, {n_cases}) AS g",
            )
        )
        cursor.execute("SELECT min(id), max(id) FROM cases_case")
        first, _last = cursor.fetchone()
        # actions: 1.5 per case, due 30 days after the case, mixed outcomes
        cursor.execute(
            _insert_select(
                Action,
                {
                    "case_id": "c.id",
                    "description": "''",
                    "organisation_id": "c.lead_organisation_id",
                    "due_date": "(c.created_at + interval '30 days')::date",
                    "status": "(ARRAY['done','done','done','open','in_progress','cancelled'])[1 + (c.id + k) % 6]",
                    "completed_on": "CASE WHEN (c.id + k) % 6 < 3 THEN (c.created_at + "
                    "((c.id % 50) || ' days')::interval)::date END",
                    "created_at": "c.created_at",
                },
                "cases_case c CROSS JOIN generate_series(1, 2) AS k WHERE k = 1 OR c.id % 2 = 0",
            )
        )
        # referrals: 0.6 per case, first contact after 0–20 days for 80 %
        cursor.execute(
            _insert_select(
                Referral,
                {
                    "case_id": "c.id",
                    "from_organisation_id": "c.bringing_organisation_id",
                    "to_organisation_id": "c.lead_organisation_id",
                    "status": "'accepted'",
                    "referred_at": "c.created_at + interval '1 day'",
                    "first_contact_at": "CASE WHEN c.id % 5 <> 0 THEN c.created_at + interval '1 day' + "
                    "((c.id * 37) % 480) * interval '1 hour' END",
                },
                "cases_case c WHERE c.id % 5 < 3",
            )
        )
        # conferences: one a week for ten years, chaired in turn
        cursor.execute(
            _insert_select(
                Conference,
                {
                    "kind": "'regular'",
                    "date": "date '2016-01-04' + 7 * w",
                    "location": "''",
                    "chair_organisation_id": f"({org_ids})[1 + w % 30]",
                    "status": "'held'",
                },
                "generate_series(0, 521) AS w",
            )
        )
        cursor.execute("SELECT min(id) FROM cases_conference")
        first_conf = cursor.fetchone()[0]
        # agenda items: every fourth case in the conference of its week
        cursor.execute(
            _insert_select(
                AgendaItem,
                {
                    "conference_id": f"{first_conf} + LEAST(521, ((c.created_at::date - date '2016-01-04') / 7))",
                    "case_id": "c.id",
                    "reason": "'proposed'",
                    "position": "0",
                    "decisions": "''",
                },
                f"cases_case c WHERE c.id % 4 = 0 AND c.id >= {first}",
            )
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        # VACUUM sets the visibility map, so covering indexes give index-only scans as in a settled database.
        cursor.execute("VACUUM ANALYZE")
        counts = {}
        for table in ("cases_case", "cases_action", "cases_referral", "cases_conference", "cases_agendaitem"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            counts[table] = cursor.fetchone()[0]
    print(
        f"Daten erzeugt in {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{table} {n:,}".replace(",", ".") for table, n in counts.items()),
        flush=True,
    )


def time_registry():
    from schutznetz.reports import annual

    started = time.perf_counter()
    report = annual.build(YEAR)
    elapsed = time.perf_counter() - started
    unavailable = [m.key for m in report["measures"] if not m.available]
    return elapsed, unavailable


def time_hand_sql():
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for year in (YEAR, YEAR - 1):
            params = {
                "s": timezone.make_aware(dt.datetime(year, 1, 1)),
                "e": timezone.make_aware(dt.datetime(year + 1, 1, 1)),
                "sd": dt.date(year, 1, 1),
                "ed": dt.date(year + 1, 1, 1),
            }
            for sql in HAND_SQL:
                cursor.execute(sql, params)
                cursor.fetchall()
    return time.perf_counter() - started


def explain():
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in HAND_SQL[:1] + HAND_SQL[7:9]:
            cursor.execute(
                "EXPLAIN ANALYZE " + sql,
                {"s": "2025-01-01", "e": "2026-01-01", "sd": "2025-01-01", "ed": "2026-01-01"},
            )
            print("\n".join(row[0] for row in cursor.fetchall()), "\n", flush=True)


def main():
    with postgres_database() as url:
        setup_django(url)
        generate(CASES)
        if os.environ.get("BENCH_EXPLAIN"):
            explain()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(time_registry)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        registry, hand = measure_both()
        ratio = registry / hand if hand else float("inf")
        print(
            f"Jahresbericht-Kennzahlen ({CASES:,} Fälle): Registry {registry:.2f} s vs handgeschriebenes SQL "
            f"{hand:.2f} s → Verhältnis {ratio:.2f} (Ziel ≤ 3: {'erreicht' if ratio <= 3 else 'verfehlt'})",
            flush=True,
        )
        if UNAVAILABLE:
            print("nicht verfügbar (nicht mitgemessen): " + ", ".join(UNAVAILABLE), flush=True)


UNAVAILABLE = []


def measure_both():
    """Warm-up, then the best of REPEATS for each side."""
    time_registry()
    time_hand_sql()
    registry_times, hand_times = [], []
    for _ in range(REPEATS):
        elapsed, unavailable = time_registry()
        UNAVAILABLE[:] = unavailable
        registry_times.append(elapsed)
        hand_times.append(time_hand_sql())
    return min(registry_times), min(hand_times)


if __name__ == "__main__":
    main()
