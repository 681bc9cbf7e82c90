"""The in-memory finder index: same answers as the database search, and never stale."""

import random
from datetime import time, timedelta

import pytest
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from schutznetz.directory import finder_index, queries, taxonomy
from schutznetz.directory.models import (
    Municipality,
    Offer,
    OfferStatus,
    Provider,
    Schedule,
    ServedArea,
    ShelterReport,
)

pytestmark = pytest.mark.django_db


def _generate(seed=3, regions=8, offers=240):
    """Offers spread over a few invented regions, with every attribute the finder filters on."""
    rng = random.Random(seed)
    places = Municipality.objects.bulk_create(
        [
            Municipality(
                region="Testland",
                name=f"Testort {i}",
                slug=f"testort-{i}",
                population=50_000,
                latitude=51.0 + 0.15 * (i // 3),
                longitude=8.0 + 0.2 * (i % 3),
                postcodes=f"{70000 + i * 10} {70001 + i * 10}",
            )
            for i in range(regions)
        ]
    )
    provider = Provider.objects.create(name="Träger Index")
    kinds, targets, languages = list(taxonomy.KINDS), list(taxonomy.TARGET_GROUPS), list(taxonomy.LANGUAGES)
    batch = []
    for n in range(offers):
        home = places[n % regions]
        served = rng.sample(places, k=rng.randint(0, 2))
        batch.append(
            Offer(
                provider=provider,
                name=f"Stelle {n:03d}",
                kinds=taxonomy.join_codes(rng.sample(kinds, k=rng.randint(1, 2))),
                target_groups=taxonomy.join_codes(rng.sample(targets, k=rng.randint(0, 3))),
                languages=taxonomy.join_codes(["de"] + rng.sample(languages, k=rng.randint(0, 2))),
                is_published=rng.random() < 0.9,
                status=OfferStatus.ACTIVE if rng.random() < 0.95 else OfferStatus.INACTIVE,
                municipality=home if rng.random() < 0.9 else None,
                latitude=None if n % 17 == 0 else home.latitude + rng.uniform(-0.3, 0.3),
                longitude=None if n % 17 == 0 else home.longitude + rng.uniform(-0.3, 0.3),
                service_area=taxonomy.join_codes([p.slug for p in served]),
                serves_everywhere=n % 41 == 0,
                step_free=rng.random() < 0.2,
                sign_language=rng.random() < 0.1,
                easy_language=rng.random() < 0.1,
                is_24_7=n % 13 == 0,
                address_protected=n % 11 == 0,
                search_text=f"stelle {n:03d}||",
            )
        )
    created = Offer.objects.bulk_create(batch)
    ServedArea.objects.bulk_create(
        [ServedArea(offer=o, slug=slug) for o in created for slug in taxonomy.split_codes(o.service_area)]
    )
    Schedule.objects.bulk_create(
        [
            Schedule(offer=o, weekday=day, opens_at=time(8 + o.pk % 3), closes_at=time(16 + o.pk % 4))
            for o in created
            if o.pk % 3
            for day in range(o.pk % 5, 5)
        ]
    )
    return places


def _random_params(rng, places):
    query = {}
    if rng.random() < 0.7:
        place = rng.choice(places)
        query["ort"] = rng.choice([place.name, place.name.upper(), place.slug, place.postcodes.split()[1]])
    for name, choices in (
        ("art", list(taxonomy.KINDS)),
        ("zielgruppe", list(taxonomy.TARGET_GROUPS)),
        ("sprache", list(taxonomy.LANGUAGES)),
    ):
        if rng.random() < 0.4:
            query[name] = rng.choice(choices)
    if rng.random() < 0.2:
        query["barrierefrei"] = "1"
    if rng.random() < 0.2:
        query["jetzt_offen"] = "1"
    if rng.random() < 0.3:
        query["umkreis"] = str(rng.choice([1, 10, 50, 200]))
    return QueryDict(mutable=True) | query


def _answer(params, now, use_index):
    place, ranked, problems = queries.ranked_offers(params, now, use_index=use_index)
    rows = [(r.offer.pk, round(r.score, 9), r.distance_km, [str(x) for x in r.reasons]) for r in ranked]
    return (place.pk if place else None), rows, [str(p) for p in problems]


def test_index_answers_exactly_like_the_database_search():
    places = _generate()
    rng = random.Random(11)
    now = timezone.make_aware(timezone.datetime(2026, 11, 24, 10, 30))
    compared = 0
    for _ in range(120):
        params = queries.FinderParams.from_query(_random_params(rng, places))
        from_index = _answer(params, now, use_index=True)
        from_database = _answer(params, now, use_index=False)
        assert from_index == from_database, params
        compared += len(from_index[1])
    assert compared > 500  # the parameter mix does find offers, not only empty lists


def test_the_candidate_cap_is_the_same_as_the_database_one(monkeypatch):
    _generate(offers=120)
    monkeypatch.setattr(queries, "MAX_CANDIDATES", 25)
    params = queries.FinderParams.from_query(QueryDict(""))
    from_index = _answer(params, None, use_index=True)
    assert len(from_index[1]) == 25
    assert from_index == _answer(params, None, use_index=False)


def test_places_resolve_like_the_database_lookup():
    _generate(regions=4, offers=0)
    Municipality.objects.create(
        region="Testland", name="Möhnesee-Test", slug="moehnesee-test", population=1, latitude=51, longitude=8
    )
    index = finder_index.current()
    for text in (
        "Testort 2",
        "testort 2",
        "TESTORT-2",
        "70021",
        "7002",
        "Möhnesee-Test",
        "mohnesee test",
        "Nirgendwo",
        "7",  # a part of a postcode is none
        "700",
        "Testort",  # a first word several places share: no guess
        "Tesort 2",  # a typo: the clearly most similar name
        "Moehnesee",  # a first word only one place has
    ):
        expected = queries.resolve_place(text)
        found = index.place(text)
        assert (found.pk if found else None) == (expected.pk if expected else None), text


def _finder_names(client, query):
    return client.get("/hilfe/?" + query).content.decode()


def test_a_new_offer_is_found_at_once(client, make_offer):
    assert "Neue Beratungsstelle" not in _finder_names(client, "ort=Soest&art=frauenberatung")
    make_offer(name="Neue Beratungsstelle", municipality="soest")
    assert "Neue Beratungsstelle" in _finder_names(client, "ort=Soest&art=frauenberatung")


NEAR_SOEST = "ort=Soest&art=frauenberatung&umkreis=1"


@pytest.mark.parametrize(
    ("change", "query_after"),
    [
        (lambda offer: Offer.objects.filter(pk=offer.pk).update(is_published=False), NEAR_SOEST),
        (lambda offer: Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.INACTIVE), NEAR_SOEST),
        (lambda offer: Offer.objects.filter(pk=offer.pk).update(kinds="|polizei|"), NEAR_SOEST),
        (lambda offer: Offer.objects.filter(pk=offer.pk).delete(), NEAR_SOEST),
        (lambda offer: ServedArea.objects.filter(offer=offer).delete(), NEAR_SOEST),
        (
            lambda offer: Municipality.objects.filter(slug="soest").update(
                slug="soest-neu", name="Soest-Neu"
            ),
            "ort=Soest-Neu&art=frauenberatung&umkreis=1",
        ),
    ],
    ids=["unpublished", "inactive", "other-kind", "deleted", "no-longer-serving", "place-renamed"],
)
def test_any_write_outside_the_services_takes_effect_at_once(client, make_offer, change, query_after):
    """Bulk updates and deletes bypass the services and signals; the triggers still renew the token."""
    offer = make_offer(name="Stelle im Wandel", municipality="lippstadt", service_area=["soest"])
    assert "Stelle im Wandel" in _finder_names(client, NEAR_SOEST)
    change(offer)
    assert "Stelle im Wandel" not in _finder_names(client, query_after)


def test_opening_hours_changed_in_bulk_take_effect_at_once(make_offer):
    offer = make_offer(name="Sprechstunde", municipality="soest")
    monday_ten = timezone.make_aware(timezone.datetime(2026, 11, 23, 10, 0))
    params = queries.FinderParams.from_query(QueryDict("ort=Soest&jetzt_offen=1"))
    assert offer.pk not in [r.offer.pk for r in queries.ranked_offers(params, monday_ten)[1]]
    Schedule.objects.create(offer=offer, weekday=0, opens_at=time(9), closes_at=time(12))
    assert offer.pk in [r.offer.pk for r in queries.ranked_offers(params, monday_ten)[1]]
    assert offer.pk not in [
        r.offer.pk for r in queries.ranked_offers(params, monday_ten + timedelta(hours=2))[1]
    ]


def test_a_rolled_back_write_leaves_index_and_data_in_step(make_offer):
    make_offer(name="Bleibt", municipality="soest")
    params = queries.FinderParams.from_query(QueryDict("ort=Soest"))
    token = finder_index.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        Offer.objects.filter(name="Bleibt").update(is_published=False)
        assert "Bleibt" not in [r.offer.name for r in queries.ranked_offers(params)[1]]
        raise RuntimeError("abgebrochen")
    assert finder_index.current_token() == token
    assert "Bleibt" in [r.offer.name for r in queries.ranked_offers(params)[1]]


def test_shelter_reports_do_not_reload_the_index(shelter, anbieter):
    from schutznetz.directory import services

    index = finder_index.current()
    services.report_shelter_places(anbieter, shelter, free_places=2, children_allowed=True)
    assert finder_index.current() is index


def _light(client):
    html = client.get("/hilfe/?art=frauenhaus").content.decode()
    return html.split("sn-traffic-light--", 1)[1].split('"', 1)[0]


def test_a_shelter_report_changes_the_light_on_the_next_search(client, shelter, anbieter):
    from schutznetz.directory import services

    before = finder_index.versions()
    assert _light(client) == "grey"
    services.report_shelter_places(anbieter, shelter, free_places=2, children_allowed=True)
    after = finder_index.versions()
    assert after.reports != before.reports and after.directory == before.directory
    assert _light(client) == "green"
    lights = finder_index.current_lights()
    services.report_shelter_places(anbieter, shelter, free_places=0, children_allowed=False)
    assert _light(client) == "red"
    assert finder_index.current_lights() is not lights
    # Reports changed outside the services (a bulk correction, a deletion) count as well.
    ShelterReport.objects.update(free_places=3)
    assert _light(client) == "green"
    ShelterReport.objects.all().delete()
    assert _light(client) == "grey"


def test_a_rolled_back_report_leaves_lights_and_data_in_step(client, shelter, anbieter):
    from schutznetz.directory import services

    token = finder_index.versions().reports
    with pytest.raises(RuntimeError), transaction.atomic():
        services.report_shelter_places(anbieter, shelter, free_places=2, children_allowed=True)
        assert _light(client) == "green"
        raise RuntimeError("abgebrochen")
    assert finder_index.versions().reports == token
    assert _light(client) == "grey"


def test_a_search_about_the_past_reads_the_reports_it_needs(shelter, anbieter):
    """Lights hold the last day's reports; a caller asking about an earlier time is answered
    from the database, as before."""
    from schutznetz.directory import services

    services.report_shelter_places(anbieter, shelter, free_places=1, children_allowed=True)
    ShelterReport.objects.update(reported_at=timezone.now() - timedelta(hours=30))
    params = queries.FinderParams.from_query(QueryDict("art=frauenhaus"))
    (now,) = queries.find_offers(params, cards=True).results
    assert now.offer.light == "grey"
    two_hours_after_the_report = timezone.now() - timedelta(hours=28)
    (then,) = queries.find_offers(params, now=two_hours_after_the_report, cards=True).results
    assert then.offer.light == "green"


def test_every_finder_table_has_its_version_trigger():
    from django.db import connection

    from schutznetz.directory import version_triggers

    assert version_triggers.missing(connection) == set()


def test_triggers_a_migration_dropped_come_back_after_migrate(make_offer):
    """SQLite drops a table's triggers when a migration rebuilds it; post_migrate restores them."""
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connection

    from schutznetz.directory import version_triggers

    offer = make_offer(name="Nach dem Umbau", municipality="soest")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER directory_offer_renew_version ON directory_offer")
        else:
            cursor.execute("DROP TRIGGER directory_offer_renew_version_update")
    assert version_triggers.missing(connection)
    token = finder_index.current_token()
    Offer.objects.filter(pk=offer.pk).update(is_published=False)
    assert finder_index.current_token() == token  # this is the danger the check guards against
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert version_triggers.missing(connection) == set()
    Offer.objects.filter(pk=offer.pk).update(is_published=True)
    assert finder_index.current_token() != token


@pytest.mark.django_db(transaction=True)
def test_an_installation_at_0005_with_its_triggers_upgrades():
    """Earlier installations have triggers that write the version table; SQLite rebuilds that
    table to add the reports token, which fails while those triggers still refer to it."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from schutznetz.directory import version_triggers

    MigrationExecutor(connection).migrate([("directory", "0005_finder_version")])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in version_triggers.COLUMNS["token"]:
                cursor.execute(
                    f"CREATE TRIGGER {table}_renew_version_insert AFTER INSERT ON {table} BEGIN "  # noqa: S608
                    "INSERT OR REPLACE INTO directory_directoryversion (id, token) VALUES (1, 'alt'); END"
                )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert version_triggers.missing(connection) == set()
    before = finder_index.versions()
    Municipality.objects.create(
        region="Testland", name="Neu", slug="neu", population=1, latitude=51, longitude=8
    )
    after = finder_index.versions()
    assert after.directory != before.directory and after.reports == before.reports
