"""Help finder at national scale: 50,000 offers over 400 regions, SQLite and PostgreSQL.

Serves the app with gunicorn (2 workers) and measures requests/s of a typical
filtered search (place + kind, and place + kind + language; a free-text search
is measured as extra information) against ``/healthz`` on the same server in
the same run, and prints the ratios. Target: search ≥ 0.5 × /healthz.

``BENCH_SCALE=0.1`` shrinks the data for a quick run; the default is the issue's size.
``BENCH_DURATION`` sets the seconds per measurement (default 16, taken in eight turns of 2 s); ``BENCH_DATABASES=sqlite``
(or ``postgresql``) measures one database only.
"""

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.harness import BenchServer, interleaved, postgres_database, report, throughput  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
OFFERS = int(50_000 * SCALE)
REGIONS = max(int(400 * SCALE), 10)
DURATION = float(os.environ.get("BENCH_DURATION", "16"))
TARGET = 0.5

GENERATE = """
import random
from schutznetz.directory import services, taxonomy
from schutznetz.directory.models import Municipality, Offer, Provider, ServedArea
from schutznetz.directory.search import build_search_text

random.seed(42)
regions, offers = {regions}, {offers}
Municipality.objects.all().delete()
side = int(regions ** 0.5 + 0.999)
municipalities = Municipality.objects.bulk_create([
    Municipality(region="Deutschland (Benchmark)", name=f"Region {{i:03d}}", slug=f"region-{{i:03d}}", kind="Kreis",
                 population=random.randint(50_000, 400_000), latitude=47.5 + 7.0 * (i // side) / side,
                 longitude=6.0 + 9.0 * (i % side) / side, postcodes=f"{{10000 + i * 200}}")
    for i in range(regions)
])
providers = Provider.objects.bulk_create([Provider(name=f"Träger {{i}}") for i in range(regions)])
kinds, targets, languages = list(taxonomy.KINDS), list(taxonomy.TARGET_GROUPS), list(taxonomy.LANGUAGES)
words = ["Beratung", "Hilfe", "Schutz", "Begleitung", "Frauen", "Kinder", "Familie", "Krise", "Gewalt", "Unterstützung"]
batch = []


def save(batch):
    Offer.objects.bulk_create(batch)
    ServedArea.objects.bulk_create([ServedArea(offer=o, slug=s) for o in batch for s in taxonomy.split_codes(o.service_area)])
    services.remember_words(o.search_text for o in batch)


for n in range(offers):
    m = municipalities[n % regions]
    offer = Offer(
        provider=providers[n % regions], name=f"{{random.choice(words)}}stelle {{n}}",
        description=" ".join(random.choices(words, k=12)),
        kinds=taxonomy.join_codes(random.sample(kinds, k=random.randint(1, 2))),
        target_groups=taxonomy.join_codes(random.sample(targets, k=random.randint(1, 3))),
        languages=taxonomy.join_codes(["de"] + random.sample(languages, k=random.randint(0, 2))),
        is_published=True, municipality=m, city=m.name, street="Beispielweg 1",
        latitude=m.latitude + random.uniform(-0.05, 0.05), longitude=m.longitude + random.uniform(-0.05, 0.05),
        service_area=taxonomy.join_codes([m.slug]), serves_everywhere=(n % 2000 == 0),
        step_free=random.random() < 0.3, phone="0000 000000",
    )
    offer.municipality = m
    offer.search_text = build_search_text(offer, offer.provider.name)
    batch.append(offer)
    if len(batch) == 5000:
        save(batch)
        batch = []
if batch:
    save(batch)
services.refresh_statistics()  # what import_offers does after a load, too
print(f"{{Offer.objects.count()}} Angebote in {{Municipality.objects.count()}} Regionen angelegt.", flush=True)
"""


def searches(regions, with_language=False, text=None):
    from schutznetz.directory import taxonomy

    kinds = list(taxonomy.KINDS)
    rng = random.Random(7)

    def make(index):
        region = rng.randrange(regions)
        query = f"ort=Region+{region:03d}&art={kinds[index % len(kinds)]}"
        if with_language:
            query += "&sprache=de"
        if text:
            query += f"&q={text}"
        return ("GET", f"{server_url}/hilfe/?{query}", None, {})

    return make


server_url = ""


def run(label, database_url=None):
    global server_url
    with BenchServer(database_url=database_url, workers=2) as server:
        server.migrate()
        server.python(GENERATE.format(regions=REGIONS, offers=OFFERS))
        server.start()
        server_url = server.url
        throughput(server.url + "/healthz", concurrency=4, duration=2)  # warm-up
        # Each worker loads its in-memory finder index on its first search (about a second for
        # 50,000 offers); measure the steady state, as a running server is in.
        throughput(server.url + "/hilfe/?ort=Region+001&art=frauenhaus", concurrency=4, duration=6)
        # In turns (``interleaved``), so that background load on the machine falls on all alike.
        measured = interleaved(
            {
                "healthz": {"url": server.url + "/healthz"},
                "typical": {"make_request": searches(REGIONS)},
                "language": {"make_request": searches(REGIONS, True)},
                "text": {"make_request": searches(REGIONS, text="Beratung")},
                # For comparison: a page of the same frame with no search and no database work.
                "static": {"url": server.url + "/hilfe/leichte-sprache/"},
            },
            duration=DURATION,
        )
        baseline, typical, with_language, text, static = measured.values()
        print(f"--- {label}: {OFFERS} Angebote, {REGIONS} Regionen, gunicorn 2 Worker", flush=True)
        ratios = [
            report(f"{label} Suche Ort+Art", typical, baseline, TARGET),
            report(f"{label} Suche Ort+Art+Sprache", with_language, baseline, TARGET),
            report(f"{label} Suche Ort+Art+Freitext (Info)", text, baseline),
            report(f"{label} statische Seite im selben Rahmen (Info)", static, baseline),
        ]
        return ratios


def main():
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    if "sqlite" in databases:
        run("SQLite")
    if "postgresql" in databases:
        with postgres_database() as url:
            run("PostgreSQL", url)


if __name__ == "__main__":
    main()
