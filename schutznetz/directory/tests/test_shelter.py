"""Shelter availability: one-step report, the traffic light over time, the overview for professionals."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from schutznetz.accounts.models import Role
from schutznetz.directory import queries, services
from schutznetz.directory.models import ShelterReport
from schutznetz.testing.factories import login, make_organisation, make_user

pytestmark = pytest.mark.django_db


def test_traffic_light_green_red_and_grey_after_24_hours(anbieter, shelter):
    assert queries.traffic_light(None) == "grey"
    report = services.report_shelter_places(
        anbieter, shelter, free_places=2, children_allowed=True, child_places=3
    )
    now = report.reported_at
    assert queries.traffic_light(report, now + timedelta(hours=23, minutes=59)) == "green"
    assert queries.traffic_light(report, now + timedelta(hours=24, minutes=1)) == "grey"
    full = services.report_shelter_places(
        anbieter, shelter, free_places=0, children_allowed=False, child_places=4
    )
    assert queries.traffic_light(full, full.reported_at + timedelta(hours=1)) == "red"
    assert full.child_places == 0  # no children → no child places
    assert ShelterReport.objects.filter(offer=shelter).count() == 2  # history kept


def test_public_page_shows_light_and_grey_means_please_call(client, anbieter, shelter):
    url = reverse("directory:offer_detail", args=[shelter.hsds_id])
    assert "Keine aktuelle Meldung – bitte anrufen" in client.get(url).content.decode()
    services.report_shelter_places(anbieter, shelter, free_places=1, children_allowed=True)
    assert "Plätze frei" in client.get(url).content.decode()
    ShelterReport.objects.update(reported_at=timezone.now() - timedelta(hours=25))
    assert "Keine aktuelle Meldung – bitte anrufen" in client.get(url).content.decode()
    finder = client.get(reverse("directory:finder") + "?art=frauenhaus").content.decode()
    assert "sn-traffic-light--grey" in finder


def test_one_step_mobile_form(client, anbieter, shelter):
    login(client, anbieter)
    url = reverse("directory:shelter_report", args=[shelter.pk])
    page = client.get(url).content.decode()
    assert 'inputmode="numeric"' in page and 'name="viewport"' in page
    response = client.post(
        url,
        {"free_places": "3", "children_allowed": "on", "child_places": "2", "languages": "Deutsch, Arabisch"},
    )
    assert response.status_code == 302
    report = ShelterReport.objects.get()
    assert (report.free_places, report.child_places, report.languages, report.reported_by) == (
        3,
        2,
        "Deutsch, Arabisch",
        anbieter,
    )
    bad = client.post(url, {"free_places": "-1"})
    assert bad.status_code == 200 and "Freie Plätze jetzt" in bad.content.decode()
    assert ShelterReport.objects.count() == 1


def test_other_provider_cannot_report(shelter):
    other = make_user(organisation=make_organisation("Andere Beratung"), roles=[Role.ANBIETER])
    with pytest.raises(PermissionDenied):
        services.report_shelter_places(other, shelter, free_places=5, children_allowed=True)


def test_overview_for_professionals_only(client, anbieter, shelter):
    services.report_shelter_places(
        anbieter, shelter, free_places=2, children_allowed=True, child_places=1, languages="Türkisch"
    )
    police = make_user(organisation=make_organisation("Polizei Test"), roles=[Role.FACHKRAFT])
    login(client, police)
    html = client.get(reverse("directory:shelter_overview")).content.decode()
    assert "Frauenhaus Teststadt" in html and "Türkisch" in html and "Plätze frei" in html
    assert "Geheimweg" not in html
    client.logout()
    evidence = make_user(organisation=make_organisation("Klinik Test"), roles=[Role.SPURENSICHERUNG])
    login(client, evidence)
    assert client.get(reverse("directory:shelter_overview")).status_code == 403
