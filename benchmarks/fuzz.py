"""API fuzzing with schemathesis against the OpenAPI schema, as every role (``make fuzz``).

Runs a production-like gunicorn (``harness.BenchServer``, SQLite, the demo users and the objects
the authorisation matrix's ``access_expectations`` set up, own and foreign) and signs in one
session per role (plus a user of an unrelated organisation and anonymous). For each API operation
and each actor schemathesis generates requests (``FUZZ_EXAMPLES`` per operation, default 50) and
checks:

- no 5xx (``not_a_server_error``),
- no response that violates the schema (``response_schema_conformance``, ``content_type_conformance``),
- no data of another organisation: the response body contains none of the markers that the
  authorisation matrix declares hidden from that actor (``secret`` in access_expectations.py).

The same ``run_fuzz`` runs in-process against the WSGI app in ``tests/test_api_fuzz.py`` with a
few examples, as part of ``make test``.
"""

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@dataclass
class FuzzReport:
    requests: int = 0
    statuses: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def add_failure(self, text):
        if text not in self.failures:
            self.failures.append(text)


def leak_check(forbidden):
    """A check function: the body must not contain any of ``forbidden``."""

    def check(response, label, actor, report):
        text = response.content.decode("utf-8", "replace") if response.content else ""
        for marker in forbidden:
            if marker and marker in text:
                report.add_failure(f"{label} als {actor}: Antwort enthält fremde Daten {marker!r}")

    return check


def run_fuzz(schema, actors, forbidden_by_actor, max_examples=10, base_url=None, seed=None):
    """Fuzz every operation of ``schema`` as each actor.

    ``actors``: name → (cookies, headers). ``forbidden_by_actor``: name → markers.
    """
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    report = FuzzReport()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        strategy = operation.as_strategy()
        for actor, (cookies, headers) in actors.items():
            fuzz_one = _make_fuzzer(
                strategy, label, actor, cookies, headers, leak_check(forbidden_by_actor.get(actor, ())),
                checks, report, max_examples, base_url, seed,
            )  # fmt: skip
            try:
                fuzz_one()
            except Unsatisfiable:
                pass
    return report


def _describe(exc):
    """The failure's title and its first lines of detail (schemathesis raises groups of failures)."""
    parts = []
    for sub in getattr(exc, "exceptions", None) or [exc]:
        lines = [line.strip() for line in str(sub).splitlines() if line.strip()]
        parts.append(" / ".join(lines[:3]) or type(sub).__name__)
    return "; ".join(parts)


def _make_fuzzer(
    strategy, label, actor, cookies, headers, leak, checks, report, max_examples, base_url, seed
):
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=seed is not None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz_one(case):
        kwargs = {"cookies": cookies, "headers": dict(headers)}
        if base_url:
            kwargs["base_url"] = base_url
        response = case.call(**kwargs)
        report.requests += 1
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=checks, headers=kwargs["headers"])
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every check failure is reported
            report.add_failure(f"{label} als {actor}: {_describe(exc)}")
        leak(response, label, actor, report)

    return fuzz_one


def csrf_pair():
    import secrets
    import string

    token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    return {"csrftoken": token}, {"X-CSRFToken": token}


SESSION_CODE = r"""
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from schutznetz.accounts import demo as accounts_demo
from schutznetz.accounts.models import OrganisationKind, Role, User
from schutznetz.testing.factories import make_organisation, make_user
from tests.access_matrix import DEMO_USERNAMES, World, load_tables, secrets_hidden_from

class Quiet:
    def write(self, *a, **k): pass

accounts_demo.load(Quiet())
w = World()
for actor, username in DEMO_USERNAMES.items():
    w.users[actor] = User.objects.get(username=username)
other = User.objects.filter(username="fuzz-fremd").first()
if other is None:
    org = make_organisation("Fremde Beratungsstelle Fuzz", kind=OrganisationKind.BERATUNGSSTELLE)
    other = make_user("fuzz-fremd", organisation=org, roles=[Role.FACHKRAFT])
w.users["other_org"] = other
tables = load_tables()
for module, _, _ in tables:
    if hasattr(module, "setup"):
        module.setup(w)
out = {"sessions": {}, "forbidden": {}}
for actor, user in w.users.items():
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "schutznetz.accounts.backends.SignInBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    out["sessions"][actor] = store.session_key
for actor in ["anonymous", *w.users]:
    out["forbidden"][actor] = secrets_hidden_from(w, actor, tables)
print("FUZZ-JSON " + json.dumps(out))
"""


def main():
    import schemathesis

    from benchmarks.harness import BenchServer, request

    examples = int(os.environ.get("FUZZ_EXAMPLES", "50"))
    # Debug mode: demo logins without a second factor (as in `make run`); otherwise production-like.
    with BenchServer(workers=2, env={"SCHUTZNETZ_DEBUG": "1"}) as server:
        server.migrate()
        result = server.manage("shell", "-c", SESSION_CODE, capture=True, check=False)
        if result.returncode != 0:
            print(result.stderr[-3000:])
            return 1
        line = next(line for line in result.stdout.splitlines() if line.startswith("FUZZ-JSON "))
        data = json.loads(line.removeprefix("FUZZ-JSON "))
        server.start()
        status, raw_schema = request("GET", server.url + "/api/schema/?format=json")
        if status != 200:
            print(f"Schema nicht abrufbar: {status}")
            return 1
        schema = schemathesis.openapi.from_dict(json.loads(raw_schema))
        actors = {"anonymous": ({}, {})}
        for actor, key in data["sessions"].items():
            cookies, headers = csrf_pair()
            actors[actor] = ({**cookies, "sessionid": key}, headers)
        report = run_fuzz(schema, actors, data["forbidden"], max_examples=examples, base_url=server.url)
    print(
        f"Fuzzing: {report.requests} Anfragen, {len(actors)} Akteure, Status: {dict(sorted(report.statuses.items()))}"
    )
    for failure in report.failures:
        print("FEHLER:", failure)
    print("Ergebnis:", "keine Befunde" if not report.failures else f"{len(report.failures)} Befunde")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
