"""Shared pieces for the benchmarks: a throwaway PostgreSQL, a gunicorn server, a load loop.

Every benchmark measures its own endpoint against ``/healthz`` on the same
server in the same run and prints the ratio, so the figures compare across
machines. Nothing here asserts a timing.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_database():
    """A throwaway PostgreSQL cluster; yields its DATABASE_URL and removes it afterwards."""
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="schutznetz-bench-pg-")
    script = REPO / "scripts" / "pg_throwaway.sh"
    subprocess.run(["bash", str(script), "start", data_dir, str(port)], check=True, stdout=subprocess.DEVNULL)
    try:
        url = subprocess.run(
            ["bash", str(script), "url", data_dir, str(port)], check=True, capture_output=True, text=True
        ).stdout.strip()
        yield url
    finally:
        subprocess.run(
            ["bash", str(script), "stop", data_dir, str(port)], check=False, stdout=subprocess.DEVNULL
        )


# The cookie names of a production-like server (schutznetz/settings.py outside debug mode).
SESSION_COOKIE, CSRF_COOKIE = "__Host-sessionid", "__Host-csrftoken"


def production_env(var_dir, database_url=None, extra=None):
    """Environment for a production-like server (debug off, fresh keys, plain HTTP on loopback)."""
    sys.path.insert(0, str(REPO))
    from schutznetz.core.keys import generate_values

    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHUTZNETZ_") and k != "DATABASE_URL"}
    key_file = Path(var_dir) / "bench-keys.env"
    if not key_file.exists():
        key_file.write_text("".join(f"{name}={value}\n" for name, value in generate_values()))
    for line in key_file.read_text().splitlines():
        name, value = line.split("=", 1)
        env[name] = value
    env.update(
        {
            "SCHUTZNETZ_DEBUG": "0",
            "SCHUTZNETZ_VAR_DIR": str(var_dir),
            "SCHUTZNETZ_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SCHUTZNETZ_SSL_REDIRECT": "0",
            "SCHUTZNETZ_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SCHUTZNETZ_TASKS": "immediate",
            "DJANGO_SETTINGS_MODULE": "schutznetz.settings",
            "PYTHONPATH": str(REPO),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


class BenchServer:
    """gunicorn serving schutznetz on a free loopback port, with its own var dir and database.

    ``manage(...)`` runs a management command against the same database, e.g.
    ``migrate`` or a data generator, before or while the server runs.
    """

    def __init__(self, database_url=None, workers=2, env=None, threads=1, timeout=60):
        self.var_dir = tempfile.mkdtemp(prefix="schutznetz-bench-")
        (Path(self.var_dir) / "static").mkdir()
        self.env = production_env(self.var_dir, database_url, env)
        self.workers = workers
        self.threads = threads
        self.timeout = timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def manage(self, *args, check=True, capture=False):
        return subprocess.run(
            [PYTHON, str(REPO / "manage.py"), *args],
            env=self.env,
            cwd=REPO,
            check=check,
            capture_output=capture,
            text=True,
        )

    def python(self, code):
        """Run Python code with Django set up against the server's database."""
        prelude = "import django; django.setup()\n"
        return subprocess.run([PYTHON, "-c", prelude + code], env=self.env, cwd=REPO, check=True)

    def migrate(self):
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("createcachetable")

    def start(self):
        command = [
            PYTHON, "-m", "gunicorn", "schutznetz.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--threads", str(self.threads),
            "--timeout", str(self.timeout),
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, env=self.env, cwd=REPO)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request("GET", self.url + "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn antwortet nicht auf /healthz")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(method, url, body=None, headers=None, timeout=30):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, path or "/", body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    rounds: list = field(default_factory=list)  # per-window rates, from ``interleaved``

    @property
    def per_second(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def server_errors(self):
        return sum(count for status, count in self.statuses.items() if status >= 500)


def throughput(url, concurrency=8, duration=8.0, method="GET", body=None, headers=None, make_request=None):
    """Requests/s from ``concurrency`` threads for ``duration`` seconds.

    ``make_request(i)`` may return ``(method, url, body, headers)`` per request
    (for varying searches or registrations); otherwise the same request repeats.
    """
    stop_at = time.monotonic() + duration
    lock = threading.Lock()
    result = LoadResult(0, 0.0)
    counter = iter(range(10**9))

    def worker():
        while time.monotonic() < stop_at:
            with lock:
                index = next(counter)
            spec = make_request(index) if make_request else (method, url, body, headers)
            try:
                status, _ = request(*spec)
            except OSError:
                with lock:
                    result.errors += 1
                continue
            with lock:
                result.requests += 1
                result.statuses[status] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def interleaved(loads, rounds=8, concurrency=8, duration=16.0):
    """Throughput of several loads measured in turns: ``rounds`` short windows each, one load
    after the other, summed per load (``LoadResult.rounds`` keeps each window's rate).

    ``loads`` maps a label to ``throughput``'s keyword arguments (``url``, ``headers``,
    ``make_request``...). Taking turns puts the baseline and the measured pages under the same
    conditions: on a shared machine, background load that comes and goes would otherwise fall
    on one measurement and skew the ratio.
    """
    totals = {label: LoadResult(0, 0.0) for label in loads}
    for _ in range(rounds):
        for label, arguments in loads.items():
            arguments = {"url": None, **arguments}
            result = throughput(concurrency=concurrency, duration=duration / rounds, **arguments)
            total = totals[label]
            total.requests += result.requests
            total.seconds += result.seconds
            total.statuses.update(result.statuses)
            total.errors += result.errors
            total.rounds.append(result.per_second)
    return totals


def run_fixed(specs, concurrency=50):
    """Send exactly these requests (a list of (method, url, body, headers)) with N threads."""
    lock = threading.Lock()
    queue = list(enumerate(specs))
    responses = [None] * len(specs)
    result = LoadResult(0, 0.0)

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                index, spec = queue.pop()
            try:
                status, payload = request(*spec)
            except OSError as exc:
                with lock:
                    result.errors += 1
                    responses[index] = (None, str(exc).encode())
                continue
            with lock:
                result.requests += 1
                result.statuses[status] += 1
                responses[index] = (status, payload)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result, responses


def median(values):
    """Median of a non-empty list (not ``statistics.median``: benchmarks/statistics.py shadows
    that module for scripts run from this directory)."""
    ordered = sorted(values)
    return (ordered[(len(ordered) - 1) // 2] + ordered[len(ordered) // 2]) / 2


def report(title, measured, baseline, target=None):
    """Print one benchmark line: both throughputs and their ratio (and the target, if any).

    Measured in turns (``interleaved``), the ratio is the median of the ratios of neighbouring
    windows, and their range is printed too: each pair ran under the same conditions.
    """
    if measured.rounds and len(measured.rounds) == len(baseline.rounds):
        pairs = sorted(m / b for m, b in zip(measured.rounds, baseline.rounds, strict=True) if b)
        ratio = median(pairs) if pairs else 0.0
        spread = f" (Runden {pairs[0]:.2f}–{pairs[-1]:.2f})" if pairs else ""
    else:
        ratio = measured.per_second / baseline.per_second if baseline.per_second else 0.0
        spread = ""
    line = (
        f"{title}: {measured.per_second:.1f}/s vs /healthz {baseline.per_second:.1f}/s "
        f"→ Verhältnis {ratio:.2f}{spread}"
    )
    if target is not None:
        line += f" (Ziel ≥ {target:.2f}: {'erreicht' if ratio >= target else 'verfehlt'})"
    if measured.server_errors or measured.errors:
        line += f"; 5xx: {measured.server_errors}, Verbindungsfehler: {measured.errors}"
    print(line, flush=True)
    return ratio
