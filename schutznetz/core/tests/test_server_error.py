"""A database outage answers 503 with a retry hint, never a bare 500; other errors a plain 500 page."""

import pytest
from django.db import OperationalError
from django.test import Client

from schutznetz.accounts.models import Role
from schutznetz.testing.factories import login, make_user


@pytest.mark.django_db
def test_database_outage_during_a_request_answers_503(monkeypatch):
    def outage(user):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("schutznetz.core.views.dashboard_panels", outage)
    client = login(Client(raise_request_exception=False), make_user(roles=[Role.KOORDINATION]))
    response = client.get("/intern/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Bitte versuchen Sie es gleich noch einmal" in response.content.decode()


@pytest.mark.django_db
def test_any_other_error_answers_500_without_details(monkeypatch):
    def bug(user):
        raise ValueError("geheime Einzelheit")

    monkeypatch.setattr("schutznetz.core.views.dashboard_panels", bug)
    client = login(Client(raise_request_exception=False), make_user(roles=[Role.KOORDINATION]))
    response = client.get("/intern/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in body
    assert "geheime Einzelheit" not in body


@pytest.mark.django_db
def test_nul_character_in_a_parameter_is_refused_naming_it():
    response = Client().get("/hilfe/", {"q": "Frauen\x00beratung"})
    assert response.status_code == 400
    assert "„q“" in response.content.decode()
    assert not response.cookies
    assert Client().get("/hilfe/", {"q": "Frauenberatung"}).status_code == 200
