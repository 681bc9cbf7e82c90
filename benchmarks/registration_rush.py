"""The registration rush: 50 clients send 1,000 registrations for an event with 200 places.

Runs against gunicorn on PostgreSQL and on the embedded SQLite. Each registration
is one form POST (the public registration form, exactly as a browser sends it).
Then every person follows the link from their mail (one POST on the confirmation
page). Checked afterwards, in the database:

- exactly 200 confirmed and 800 on the waiting list (with confirmed addresses),
- no 5xx answer and no connection error,
- no lost registration: 1,000 distinct addresses stored, each answered 303 (Post/Redirect/Get:
  a successful form is answered with a redirect to the page that shows the result).

It prints registrations/s and confirmations/s and their ratio to /healthz on the
same server in the same run. ``BENCH_SCALE=0.2`` shrinks both numbers for a quick run.
"""

import json
import os
import subprocess
import sys
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (  # noqa: E402
    PYTHON,
    REPO,
    BenchServer,
    LoadResult,
    postgres_database,
    report,
    run_fixed,
    throughput,
)

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
ATTEMPTS = max(int(1000 * SCALE), 10)
CAPACITY = max(int(200 * SCALE), 2)
CLIENTS = 50
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
SLUG = "rush"
PROFESSIONS = ["jugendhilfe", "polizei", "justiz", "gesundheit", "beratung", "schule_kita", "sonstige"]

SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from schutznetz.accounts import services as accounts
from schutznetz.events.models import Event
org = accounts.save_organisation(None, name="Bench-Koordination", slug="bench", kind="koordination")
start = timezone.now() + timedelta(days=30)
Event.objects.create(
    title="Fachtag Ansturm", slug="{SLUG}", starts_at=start, ends_at=start + timedelta(hours=8),
    venue_name="Fachhochschule Südwestfalen", venue_city="Soest", organiser=org,
    capacity={CAPACITY}, is_published=True,
)
"""

TOKENS = f"""
import json
from schutznetz.events.models import Registration
print(json.dumps([r.token for r in Registration.objects.filter(event__slug="{SLUG}").order_by("pk")]))
"""

CHECK = f"""
import json
from collections import Counter
from schutznetz.events.models import Registration
rows = list(Registration.objects.filter(event__slug="{SLUG}"))
print(json.dumps({{
    "total": len(rows),
    "distinct_addresses": len({{r.email for r in rows}}),
    "status": dict(Counter(r.status for r in rows)),
    "waitlist_confirmed_address": sum(1 for r in rows if r.status == "waitlist" and r.email_confirmed_at),
}}))
"""


def django_python(server, code):
    prelude = "import django; django.setup()\n"
    completed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [PYTHON, "-c", prelude + code], env=server.env, cwd=REPO, check=True, capture_output=True, text=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def registration_specs(url):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    specs = []
    for number in range(ATTEMPTS):
        body = urllib.parse.urlencode(
            {
                "name": f"Teilnehmerin {number}",
                "email": f"rush{number}@example.org",
                "organisation_name": "Jugendamt",
                "profession": PROFESSIONS[number % len(PROFESSIONS)],
                "accessibility_needs": "",
                "privacy_consent": "on",
            }
        )
        specs.append(("POST", f"{url}/veranstaltungen/{SLUG}/", body, headers))
    return specs


def check(label, result, responses, expected_status=303):
    statuses = Counter(status for status, _ in responses)
    problems = []
    if result.server_errors or result.errors:
        problems.append(f"{result.server_errors} 5xx, {result.errors} Verbindungsfehler")
    if statuses != {expected_status: len(responses)}:
        problems.append(f"Antworten {dict(statuses)}")
    print(f"  {label}: Antworten {dict(statuses)}", flush=True)
    return problems


def rush(database_label, database_url=None):
    print(
        f"\n== Anmelde-Ansturm auf {database_label}: {CLIENTS} Clients, {ATTEMPTS} Anmeldungen, {CAPACITY} Plätze",
        flush=True,
    )
    problems = []
    with BenchServer(
        database_url=database_url, workers=WORKERS, env={"SCHUTZNETZ_EVENT_REGISTRATION_RATE": "0"}
    ) as server:
        server.migrate()
        server.python(SETUP)
        server.start()
        before = throughput(server.url + "/healthz", concurrency=CLIENTS, duration=8)

        result, responses = run_fixed(registration_specs(server.url), concurrency=CLIENTS)
        problems += check("Anmeldungen", result, responses)

        tokens = django_python(server, TOKENS)
        confirm_specs = [
            ("POST", f"{server.url}/veranstaltungen/anmeldung/{t}/bestaetigen/", b"", {}) for t in tokens
        ]
        confirmed, confirm_responses = run_fixed(confirm_specs, concurrency=CLIENTS)
        problems += check("Bestätigungen", confirmed, confirm_responses)

        # The baseline before and after the rush, pooled: a busy machine shifts both alike.
        after = throughput(server.url + "/healthz", concurrency=CLIENTS, duration=8)
        baseline = LoadResult(before.requests + after.requests, before.seconds + after.seconds)
        baseline.statuses = before.statuses + after.statuses
        report(f"{database_label}: Anmeldungen (1 Formular-POST)", result, baseline)
        report(f"{database_label}: Bestätigungen (Klick auf den Mail-Link)", confirmed, baseline)

        state = django_python(server, CHECK)
        server.stop()
    status = state["status"]
    print(
        f"  Ergebnis: {status.get('confirmed', 0)} bestätigt, {status.get('waitlist', 0)} auf der Warteliste "
        f"({state['waitlist_confirmed_address']} mit bestätigter Adresse), gespeichert {state['total']} "
        f"({state['distinct_addresses']} verschiedene Adressen)",
        flush=True,
    )
    expected = {"confirmed": CAPACITY, "waitlist": ATTEMPTS - CAPACITY}
    if status != expected:
        problems.append(f"Status {status} statt {expected}")
    if state["total"] != ATTEMPTS or state["distinct_addresses"] != ATTEMPTS:
        problems.append(f"{ATTEMPTS - state['distinct_addresses']} Anmeldungen verloren")
    if state["waitlist_confirmed_address"] != ATTEMPTS - CAPACITY:
        problems.append("nicht alle Wartelisten-Adressen bestätigt")
    print("  Prüfung: " + ("bestanden" if not problems else "FEHLER – " + "; ".join(problems)), flush=True)
    return problems


def main():
    problems = []
    with postgres_database() as url:
        problems += rush("PostgreSQL", url)
    problems += rush("SQLite")
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
