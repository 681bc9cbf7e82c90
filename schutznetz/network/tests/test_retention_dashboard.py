import datetime

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from schutznetz.network import dashboard, retention, services
from schutznetz.network.models import Accession

pytestmark = pytest.mark.django_db


def test_signatory_names_erased_ten_years_after_withdrawal(partners, koordination):
    old = partners[0].accessions.get()
    recent = partners[1].accessions.get()
    services.record_withdrawal(koordination, old, withdrawn_on=datetime.date(2023, 11, 3))
    services.record_withdrawal(koordination, recent, withdrawn_on=timezone.localdate())
    Accession.objects.filter(pk=old.pk).update(
        withdrawn_on=timezone.localdate() - datetime.timedelta(days=3700)
    )
    (rule,) = retention.rules()
    assert list(rule.due()) == [Accession.objects.get(pk=old.pk)]
    assert rule.apply(rule.due()) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.signatory_name == retention.ERASED and old.signatory_function == "Leitung"  # the record stays
    assert recent.signatory_name == "Person 2"
    assert not rule.due().exists()


def test_dashboard_panel_tells_an_organisation_it_has_not_confirmed(partners, fachkraft, koordination):
    v2 = services.publish_version(koordination, services.create_version(koordination, title="F2", body="Neu"))
    (panel,) = dashboard.panels(fachkraft)
    assert panel["context"]["pending_confirmation"] is True and panel["context"]["version"] == v2
    html = render_to_string(panel["template"], {"panel": panel["context"]})
    assert "noch nicht bestätigt" in html
    services.record_confirmation(
        koordination,
        partners[0],
        v2,
        signatory_name="A",
        signatory_function="L",
        confirmed_on=timezone.localdate(),
    )
    (panel,) = dashboard.panels(fachkraft)
    assert panel["context"]["pending_confirmation"] is False


def test_api_news_is_public_and_meetings_are_for_members(koordination, fachkraft, client):
    from schutznetz.testing.factories import login

    news = services.save_news(koordination, title="Öffentlich", lead="L", body="**B**")
    services.save_news(koordination, title="Entwurf", lead="L", body="B")
    services.publish_news(koordination, news)
    response = client.get("/api/v1/news/")
    assert response.status_code == 200 and not response.cookies
    titles = [item["title"] for item in response.json()["results"]]
    assert titles == ["Öffentlich"]
    assert response.json()["results"][0]["body_html"] == "<p><strong>B</strong></p>"
    assert client.get("/api/v1/network-meetings/").status_code == 403
    login(client, fachkraft)
    assert client.get("/api/v1/network-meetings/").status_code == 200


def test_api_schema_has_no_warnings_for_network():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/news/" in schema["paths"] and "/api/v1/network-meetings/" in schema["paths"]
    warnings = [
        w
        for w in GENERATOR_STATS._warn_cache
        if "network" in str(w).lower() or "News" in str(w) or "Meeting" in str(w)
    ]
    assert not warnings, warnings
