"""The public read-only API /api/v1/offers/: finder filters, HSDS shape, schema, no session."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(make_offer, shelter):
    return [
        make_offer(
            "Lichtblick",
            kinds=["fachberatung-sexualisierte-gewalt"],
            municipality="lippstadt",
            languages=["de", "tr"],
        ),
        make_offer("Frauenberatung Soest", kinds=["frauenberatung"], municipality="soest"),
        make_offer(
            "Kinderschutz Werl",
            kinds=["kinderschutz"],
            municipality="werl",
            target_groups=["kinder-und-jugendliche"],
            step_free=True,
        ),
    ]


def names(client, **query):
    response = client.get("/api/v1/offers/", query)
    assert response.status_code == 200
    return [item["name"] for item in response.json()["results"]]


def test_api_takes_the_finder_filters(client, offers):
    assert names(client, sprache="tr") == ["Lichtblick"]
    assert names(client, art="frauenberatung") == ["Frauenberatung Soest"]
    assert names(client, zielgruppe="kinder-und-jugendliche") == ["Kinderschutz Werl"]
    assert names(client, barrierefrei="1") == ["Kinderschutz Werl"]
    assert names(client, q="Frauenberatng") == ["Frauenberatung Soest"]
    assert names(client, ort="Lippstadt", umkreis="10") == ["Lichtblick"]
    assert len(names(client)) == 4


def test_api_is_hsds_shaped_and_explains_matches(client, offers):
    item = client.get(
        "/api/v1/offers/", {"ort": "Lippstadt", "art": "fachberatung-sexualisierte-gewalt"}
    ).json()["results"][0]
    assert item["id"] == str(offers[0].hsds_id)
    assert {"organization", "service_at_locations", "languages", "attributes", "phones"} <= set(item)
    assert "in Lippstadt" in item["match"]["reasons"]
    detail = client.get(f"/api/v1/offers/{offers[0].hsds_id}/").json()
    assert detail["name"] == "Lichtblick" and "match" not in detail


def test_api_pagination_and_no_session(client, offers):
    response = client.get("/api/v1/offers/", {"limit": 2})
    data = response.json()
    assert data["count"] == 4 and len(data["results"]) == 2 and "offset=2" in data["next"]
    assert not response.cookies and response["Cache-Control"] == "no-store"
    assert client.post("/api/v1/offers/", {}).status_code in (403, 405)


def test_api_is_in_the_openapi_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/offers/"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {
        "q",
        "ort",
        "art",
        "zielgruppe",
        "sprache",
        "barrierefrei",
        "jetzt_offen",
        "limit",
        "offset",
    } <= parameters
    assert "/api/v1/offers/{hsds_id}/" in schema["paths"]


def test_api_is_throttled(client, offers, monkeypatch):
    from schutznetz.directory.api import PublicThrottle

    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    statuses = [client.get("/api/v1/offers/").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[-1] == 429
