"""Case list and start page with 100,000 cases on PostgreSQL (``make bench``).

Targets (issue #4), measured in one run on one gunicorn server:

- the case list (``/intern/faelle/``, 50 cases per page with the decrypted name of the person
  at risk) and the staff start page (``/intern/``) reach at least half of ``/healthz``'s throughput;
- for comparison, the cheapest signed-in request (``/konto/sitzung/``, the idle-timeout check)
  shows what any page behind the sign-in can reach at most;
- decrypting the shown fields costs at most twice a plaintext listing: the same list without
  names (``?namen=aus``, nothing decrypted) is the plaintext baseline; the list with names must
  reach at least half of its throughput.

Both pages are served again from the page cache (core/page_cache.py) while nothing in the database
changed, as when a user returns to the list. So the rendering itself is measured too: every request
of those loads carries a query parameter of its own (``?r=…``, which the pages ignore), so each one
is a cache miss and renders the page. The decryption cost is measured on rendered pages.

``BENCH_SCALE`` (default 1.0) scales the number of cases for quick runs.
"""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import (  # noqa: E402
    CSRF_COOKIE,
    PYTHON,
    REPO,
    SESSION_COOKIE,
    BenchServer,
    interleaved,
    median,
    postgres_database,
    report,
    throughput,
)

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
CASES = int(100_000 * SCALE)
DURATION = float(os.environ.get("BENCH_SECONDS", "16"))  # per page, in eight turns

GENERATE = """
import json, random, secrets
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.utils import timezone
from allauth.mfa.models import Authenticator
from schutznetz.accounts import demo as accounts_demo
from schutznetz.accounts.models import Organisation, Role, User
from schutznetz.cases.models import (Case, CaseCounter, Deadline, Participation, ParticipationReason, Person,
    PersonRole, Referral, Section, SectionShare, LegalBasis)
from schutznetz.cases.services import identity_index
from schutznetz.core.progress import progress

class Out:
    def write(self, text): pass

accounts_demo.load(Out())
user = User.objects.get(username="demo-fachkraft-polizei")
user.first_name, user.last_name = "Bench", "Polizei"
user.save()
# Production settings: roles with case access need a second factor; register one for the bench user.
Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                    defaults={"data": {"secret": secrets.token_hex(10)}})
orgs = list(Organisation.objects.exclude(kind="koordination").order_by("pk"))
police = user.organisation
rng = random.Random(4)
now = timezone.now()
total = __CASES__
batch = 2000
first_names = ["Erika", "Mia", "Lena", "Anna", "Sara", "Jana", "Nora", "Lea"]
last_names = ["Beispiel", "Muster", "Probe", "Test", "Demo", "Fiktiv"]
created = 0
for start in progress(range(0, total, batch), total=(total + batch - 1) // batch, description="Fälle"):
    with transaction.atomic():
        cases = []
        for i in range(start, min(start + batch, total)):
            org = police if i % 14 == 0 else orgs[i % len(orgs)]
            cases.append(Case(number=f"FK-2026-{i + 1:06d}", category="haeusliche_gewalt", municipality="Soest",
                              bringing_organisation=org, lead_organisation=org,
                              created_at=now - timedelta(minutes=i), risk_band=rng.choice(["standard", "medium", "high"])))
        Case.objects.bulk_create(cases)
        Participation.objects.bulk_create([Participation(case=c, organisation_id=c.bringing_organisation_id,
                                                         reason=ParticipationReason.BROUGHT) for c in cases])
        persons = []
        for c in cases:
            first, last = rng.choice(first_names), rng.choice(last_names) + str(c.pk)
            persons.append(Person(case=c, role=PersonRole.AT_RISK, first_name=first, last_name=last,
                                  phone="0000 00000", identity_index=""))
        Person.objects.bulk_create(persons)
        deadlines = [Deadline(case=c, kind="court_hearing", organisation_id=c.bringing_organisation_id,
                              due_date=(now + timedelta(days=(c.pk % 20) - 5)).date())
                     for c in cases if c.pk % 7 == 0]
        Deadline.objects.bulk_create(deadlines)
CaseCounter.objects.update_or_create(year=2026, defaults={"last": total})
# A live database has been vacuumed and analysed by autovacuum long before; a bulk load of 100,000 cases
# seconds before measuring has not. Bring the generated tables to that state (statistics for the planner,
# visibility map for index-only scans) instead of measuring plans made without statistics.
from django.db import connection
with connection.cursor() as cursor:
    for table in ("cases_case", "cases_participation", "cases_person", "cases_deadline"):
        cursor.execute(f"VACUUM ANALYZE {table}")
store = SessionStore()
# What a real sign-in leaves in the session: password and TOTP steps recorded by allauth.
from allauth.account.internal.flows import login as allauth_login
store[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
    {"method": "password", "at": now.timestamp(), "username": user.username},
    {"method": "mfa", "at": now.timestamp(), "type": "totp"},
]
store[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "schutznetz.accounts.backends.SignInBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(json.dumps({"session": store.session_key,
                  "own_cases": Participation.objects.filter(organisation=police).count()}))
"""


def run_json(server, code):
    completed = subprocess.run(  # noqa: S603 - our interpreter, our code
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        env=server.env,
        cwd=REPO,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    print(f"Fälle: {CASES} (BENCH_SCALE={SCALE})", flush=True)
    with postgres_database() as url, BenchServer(database_url=url, workers=2) as server:
        server.migrate()
        setup = run_json(server, GENERATE.replace("__CASES__", str(CASES)))
        print(f"Fälle der Polizei (sichtbar für den Bench-Zugang): {setup['own_cases']}", flush=True)
        server.start()
        # A browser holds the CSRF cookie that its first page set.
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        cookie = {"Cookie": f"{SESSION_COOKIE}={setup['session']}; {CSRF_COOKIE}={csrf}"}
        base = server.url
        # warm up (connections, template caches) and check that the pages answer 200
        for path in (
            "/healthz",
            "/konto/sitzung/",
            "/intern/faelle/",
            "/intern/faelle/?namen=aus",
            "/intern/",
        ):
            result = throughput(base + path, concurrency=2, duration=1, headers=cookie)
            if set(result.statuses) != {200}:
                print(f"WARNUNG: {path} antwortet {dict(result.statuses)}", flush=True)

        def rendered(path):
            """Every request another address: a cache miss, the page is rendered."""
            separator = "&" if "?" in path else "?"
            return lambda i: ("GET", f"{base}{path}{separator}r={i}", None, cookie)

        # In turns, so that background load on the machine falls on all pages alike.
        loads = interleaved(
            {
                "healthz": {"url": base + "/healthz"},
                "signed_in": {"url": base + "/konto/sitzung/", "headers": cookie},
                "names": {"url": base + "/intern/faelle/", "headers": cookie},
                "start": {"url": base + "/intern/", "headers": cookie},
                "names_rendered": {"make_request": rendered("/intern/faelle/")},
                "plain_rendered": {"make_request": rendered("/intern/faelle/?namen=aus")},
                "start_rendered": {"make_request": rendered("/intern/")},
            },
            duration=DURATION,
        )
        health = loads["healthz"]
        report("Fallliste (mit entschlüsselten Namen), erneut aufgerufen", loads["names"], health, target=0.5)
        report("Startseite, erneut aufgerufen", loads["start"], health, target=0.5)
        report("Fallliste (mit Namen), jede Anfrage neu gerendert", loads["names_rendered"], health)
        report("Startseite, jede Anfrage neu gerendert", loads["start_rendered"], health)
        report("Fallliste ohne Namen, neu gerendert (Klartext-Vergleich)", loads["plain_rendered"], health)
        # The floor of every signed-in page: session, user and roles, the middleware, a JSON answer
        # (the idle-timeout check) and nothing else. No page with a sign-in gets above this ratio.
        report(
            "Angemeldete Anfrage ohne Inhalt (Untergrenze jeder Seite mit Anmeldung)",
            loads["signed_in"],
            health,
        )
        names, plain = loads["names_rendered"], loads["plain_rendered"]
        pairs = [p / n for p, n in zip(plain.rounds, names.rounds, strict=True) if n]
        cost = median(pairs) if pairs else float("inf")
        verdict = "erreicht" if cost <= 2 else "verfehlt"
        print(
            f"Entschlüsseln der angezeigten Felder (gerenderte Seiten): Zeit je Liste mit Namen / ohne Namen "
            f"= {cost:.2f} (Ziel ≤ 2.00: {verdict})",
            flush=True,
        )


if __name__ == "__main__":
    main()
