# ruff: noqa: S603, S607 - a drill runs fixed local tools (bash, ps, pg_ctl) with arguments it builds itself
"""Fault and load drill on PostgreSQL (``make drill``, a few minutes).

Mixed load (help finder searches, public event registrations, a Fachkraft's case list and new
cases) runs against gunicorn with the database task worker (``manage.py db_worker``) and a local
SMTP sink (aiosmtpd, Maildir). During the load:

1. one gunicorn worker is killed with SIGKILL (the master replaces it),
2. the task worker is killed with SIGKILL (queued mails wait in the database),
3. PostgreSQL is restarted (``pg_ctl restart -m fast``),
4. the task worker is started again.

Afterwards it checks and prints:

- no confirmed registration lost: every registration answered with the confirmation page is stored;
- no half-written case: every case created (answered with a redirect to it) is stored, and every
  stored case has its person and its audit entry (one transaction);
- the audit chain verifies (``manage.py verify_audit``);
- queued mails are delivered after the restart: every stored registration's address got its mail;
- the service answered again within seconds after the PostgreSQL restart (measured on /healthz).

``DRILL_SECONDS`` (default 90) sets the load duration. The server runs as in production (debug
off, so a database outage answers the 503 "bitte gleich noch einmal" page); the demo Fachkraft's
session carries the password and TOTP steps a real sign-in records.
"""

import http.client
import json
import mailbox
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import CSRF_COOKIE, PYTHON, REPO, SESSION_COOKIE, BenchServer, free_port, request  # noqa: E402

DURATION = float(os.environ.get("DRILL_SECONDS", "90"))
CONCURRENCY = int(os.environ.get("DRILL_CONCURRENCY", "8"))
SLUG = "drill-fachtag"
PG_SCRIPT = REPO / "scripts" / "pg_throwaway.sh"

SETUP = f"""
import json, secrets, string
from datetime import timedelta
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from schutznetz.accounts.models import Organisation, User
from schutznetz.events.models import Event
from schutznetz.cases.models import PersonRole
start = timezone.now() + timedelta(days=30)
Event.objects.get_or_create(slug="{SLUG}", defaults=dict(
    title="Fachtag Übung", starts_at=start, ends_at=start + timedelta(hours=8),
    venue_name="Kreishaus", venue_city="Soest", organiser=Organisation.objects.order_by("pk").first(),
    capacity=100000, is_published=True))
user = User.objects.get(username="demo-fachkraft-jugendamt")
store = SessionStore()
# What a real sign-in leaves in the session: password and TOTP steps recorded by allauth.
from allauth.account.internal.flows import login as allauth_login
from allauth.mfa.models import Authenticator
Authenticator.objects.get_or_create(user=user, type=Authenticator.Type.TOTP,
                                    defaults={{"data": {{"secret": secrets.token_hex(10)}}}})
store[allauth_login.AUTHENTICATION_METHODS_SESSION_KEY] = [
    {{"method": "password", "at": timezone.now().timestamp(), "username": user.username}},
    {{"method": "mfa", "at": timezone.now().timestamp(), "type": "totp"}},
]
store[allauth_login._AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "schutznetz.accounts.backends.SignInBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
print(json.dumps({{"session": store.session_key, "csrf": token, "person_role": PersonRole.AT_RISK.value}}))
"""

CHECK = f"""
import json
from schutznetz.cases.models import Case
from schutznetz.core.models import AuditEntry
from schutznetz.events.models import Registration
from django_tasks_db.models import DBTaskResult
from schutznetz.cases.models import Person, PersonRole
cases = list(Case.objects.values_list("pk", flat=True))
# Each drill case carries its marker in the at-risk person's (encrypted) last name.
markers = list(Person.objects.filter(role=PersonRole.AT_RISK).values_list("last_name", flat=True))
audited = set(AuditEntry.objects.filter(object_type="cases.case").values_list("object_id", flat=True))
print(json.dumps({{
    "registrations": sorted(Registration.objects.filter(event__slug="{SLUG}").values_list("email", flat=True)),
    "cases": markers,
    "cases_without_audit": [pk for pk in cases if str(pk) not in audited],
    "cases_without_person": list(Case.objects.filter(persons__isnull=True).values_list("pk", flat=True)),
    "tasks": {{s: DBTaskResult.objects.filter(status=s).count() for s in ("READY", "RUNNING", "SUCCESSFUL", "FAILED")}},
}}))
"""


def run_json(server, code):
    completed = subprocess.run(  # noqa: S603 - our interpreter, our code
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        env=server.env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def pg(cmd, data_dir):
    """Run pg_ctl as the postgres user when we are root (as pg_throwaway.sh does)."""
    pg_ctl = subprocess.run(
        ["bash", "-c", "command -v pg_ctl || ls -d /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The log file keeps the restarted server off our pipes (else run() would wait for it to exit).
    command = [pg_ctl, "-D", str(Path(data_dir) / "data"), "-l", str(Path(data_dir) / "postgres.log"), *cmd]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(  # noqa: S603
        command, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        timeout=120,
    )  # fmt: skip


class Load:
    def __init__(self, server, session, csrf, person_role):
        self.server = server
        self.cookie = f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf}"
        self.csrf = csrf
        self.person_role = person_role
        self.lock = threading.Lock()
        self.counter = 0
        self.statuses = Counter()
        self.errors = Counter()
        self.registered = []  # addresses answered with the redirect to the confirmation page
        self.cases = []  # markers (the person's last name) of cases answered with a redirect
        self.stop_at = 0.0

    def next_index(self):
        with self.lock:
            self.counter += 1
            return self.counter

    def one(self, index):
        url = self.server.url
        kind = index % 5
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        if kind in (0, 1):
            return "finder", ("GET", f"{url}/hilfe/?q=beratung&ort=Soest&seite={index % 3}", None, {})
        if kind == 2:
            email = f"drill{index}@example.org"
            body = urllib.parse.urlencode(
                {
                    "name": f"Teilnehmerin {index}",
                    "email": email,
                    "organisation_name": "Jugendamt",
                    "profession": "jugendhilfe",
                    "privacy_consent": "on",
                }
            )
            return ("register", email), ("POST", f"{url}/veranstaltungen/{SLUG}/", body, form)
        if kind == 3:
            return "cases", ("GET", f"{url}/intern/faelle/", None, {"Cookie": self.cookie})
        marker = f"Übung{index}"
        body = urllib.parse.urlencode(
            {
                "category": "haeusliche_gewalt",
                "municipality": "Soest",
                "role": self.person_role,
                "first_name": "Erika",
                "last_name": marker,
                "csrfmiddlewaretoken": self.csrf,
            }
        )
        headers = {**form, "Cookie": self.cookie, "Referer": f"{url}/intern/faelle/neu/"}
        return ("case", marker), ("POST", f"{url}/intern/faelle/neu/", body, headers)

    def worker(self):
        while time.monotonic() < self.stop_at:
            index = self.next_index()
            what, spec = self.one(index)
            label = what if isinstance(what, str) else what[0]
            try:
                status, payload = request(*spec, timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                with self.lock:
                    self.errors[f"{label}: {type(exc).__name__}"] += 1
                time.sleep(0.05)
                continue
            with self.lock:
                self.statuses[(label, status)] += 1
                if label == "register" and status == 303:  # accepted: redirected to the result page
                    self.registered.append(what[1])
                if label == "case" and status == 302:
                    self.cases.append(what[1])

    def run(self, duration):
        self.stop_at = time.monotonic() + duration
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(CONCURRENCY)]
        for thread in threads:
            thread.start()
        return threads


def gunicorn_workers(master_pid):
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout
    return [int(pid) for pid in out.split()]


def wait_healthy(url, timeout=60):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            status, _ = request("GET", url + "/healthz", timeout=5)
            if status == 200:
                return time.monotonic() - started
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.1)
    return None


def main():
    problems = []
    pg_dir = tempfile.mkdtemp(prefix="schutznetz-drill-pg-")
    pg_port = free_port()
    subprocess.run(
        ["bash", str(PG_SCRIPT), "start", pg_dir, str(pg_port)], check=True, stdout=subprocess.DEVNULL
    )
    database_url = subprocess.run(
        ["bash", str(PG_SCRIPT), "url", pg_dir, str(pg_port)], check=True, capture_output=True, text=True
    ).stdout.strip()
    maildir = Path(tempfile.mkdtemp(prefix="schutznetz-drill-mail-")) / "Maildir"
    smtp_port = free_port()
    smtp = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{smtp_port}",
            "-c",
            "aiosmtpd.handlers.Mailbox",
            str(maildir),
        ]
    )
    worker = None
    try:
        env = {
            "SCHUTZNETZ_TASKS": "database",
            "SCHUTZNETZ_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "SCHUTZNETZ_EMAIL_HOST": "127.0.0.1",
            "SCHUTZNETZ_EMAIL_PORT": str(smtp_port),
            "SCHUTZNETZ_EVENT_REGISTRATION_RATE": "0",
            "SCHUTZNETZ_LOG_LEVEL": "ERROR",
        }
        with BenchServer(database_url=database_url, workers=2, threads=2, env=env, timeout=30) as server:
            print("== Übung: Migration und Demo-Daten", flush=True)
            server.migrate()
            server.manage("load_demo", capture=True)
            setup = run_json(server, SETUP)
            server.start()

            def start_worker():
                return subprocess.Popen(  # noqa: S603
                    [PYTHON, str(REPO / "manage.py"), "db_worker", "--interval", "0.5", "--no-startup-delay"],
                    env=server.env,
                    cwd=REPO,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )

            worker = start_worker()
            load = Load(server, setup["session"], setup["csrf"], setup["person_role"])
            print(
                f"== Last: {DURATION:.0f} s, {CONCURRENCY} Clients (Hilfefinder, Anmeldung, Fälle)",
                flush=True,
            )
            started = time.monotonic()
            threads = load.run(DURATION)
            events = []

            def at(fraction):
                delay = started + DURATION * fraction - time.monotonic()
                if delay > 0:
                    time.sleep(delay)

            at(0.15)
            victims = gunicorn_workers(server.process.pid)
            if victims:
                os.kill(victims[0], signal.SIGKILL)
                events.append(f"gunicorn-Worker {victims[0]} mit SIGKILL beendet")
            at(0.25)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            events.append("Task-Worker mit SIGKILL beendet")
            at(0.35)
            restarted = pg(["-m", "fast", "-w", "-t", "60", "restart", "-o", f"-p {pg_port}"], pg_dir)
            events.append(f"PostgreSQL neu gestartet (rc={restarted.returncode})")
            if restarted.returncode != 0:
                problems.append("PostgreSQL-Neustart fehlgeschlagen: " + restarted.stderr.strip()[-300:])
            recovery = wait_healthy(server.url)
            events.append(
                f"/healthz wieder 200 nach {recovery:.1f} s"
                if recovery is not None
                else "/healthz antwortet nicht"
            )
            if recovery is None or recovery > 10:
                problems.append(f"Dienst nicht innerhalb von 10 s wieder erreichbar ({recovery})")
            at(0.5)
            # As the worker's systemd unit does before starting it (ExecStartPre, one worker):
            # tasks the killed worker had claimed go back into the queue instead of staying "running".
            requeued = server.manage("requeue_stalled_tasks", "--all", capture=True).stdout.strip()
            worker = start_worker()
            events.append(f"Task-Worker neu gestartet ({requeued})")
            for thread in threads:
                thread.join()
            for event in events:
                print("  " + event, flush=True)

            # Queued mails: wait until the worker has sent everything (at most 120 s).
            deadline = time.monotonic() + 120
            while True:
                state = run_json(server, CHECK)
                pending = state["tasks"]["READY"] + state["tasks"]["RUNNING"]
                if pending == 0 or time.monotonic() > deadline:
                    break
                time.sleep(2)
            audit = server.manage("verify_audit", check=False, capture=True)

        mails = mailbox.Maildir(str(maildir), create=False) if maildir.exists() else {}
        recipients = Counter()
        for message in mails.values() if mails else []:
            for address in (message.get("To") or "").split(","):
                recipients[address.strip().lower()] += 1

        stored = set(state["registrations"])
        lost = sorted(set(load.registered) - stored)
        cases_lost = sorted(set(load.cases) - set(state["cases"]))
        undelivered = sorted(email for email in stored if recipients[email.lower()] == 0)
        by_kind = Counter()
        for (label, status), count in load.statuses.items():
            by_kind[f"{label} {status}"] += count
        print("== Ergebnis", flush=True)
        print(f"  Anfragen: {sum(load.statuses.values())}, Verbindungsfehler: {sum(load.errors.values())}")
        print(f"  Antworten: {dict(sorted(by_kind.items()))}")
        if load.errors:
            print(f"  Fehlerarten: {dict(load.errors)}")
        print(
            f"  Anmeldungen bestätigt: {len(load.registered)}, gespeichert: {len(stored)}, verloren: {len(lost)}"
        )
        print(
            f"  Fälle angelegt: {len(load.cases)}, gespeichert: {len(state['cases'])}, verloren: {len(cases_lost)}, "
            f"ohne Person: {len(state['cases_without_person'])}, ohne Audit-Eintrag: {len(state['cases_without_audit'])}"
        )
        print(f"  Aufgaben: {state['tasks']}")
        print(
            f"  Mails im SMTP-Postfach: {sum(recipients.values())}, Anmeldungen ohne Mail: {len(undelivered)}"
        )
        print(f"  Audit-Kette: {audit.stdout.strip() or audit.stderr.strip()}")
        if lost:
            problems.append(f"{len(lost)} bestätigte Anmeldungen verloren")
        if cases_lost:
            problems.append(f"{len(cases_lost)} angelegte Fälle verloren")
        if state["cases_without_person"] or state["cases_without_audit"]:
            problems.append("halb geschriebene Fälle")
        if audit.returncode != 0:
            problems.append("Audit-Kette gebrochen")
        if undelivered:
            problems.append(f"{len(undelivered)} Anmeldungen ohne zugestellte Mail")
        if not load.registered:
            problems.append("keine Anmeldung angenommen – Übung ohne Aussage")
    finally:
        if worker and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=15)
        smtp.terminate()
        smtp.wait(timeout=15)
        subprocess.run(
            ["bash", str(PG_SCRIPT), "stop", pg_dir, str(pg_port)], check=False, stdout=subprocess.DEVNULL
        )
    print("Übung: " + ("bestanden" if not problems else "FEHLER – " + "; ".join(problems)), flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
