"""Requests a shelter could not admit: anonymous counts per reason in the one-step report."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.core.models import AuditEntry
from schutznetz.directory import queries, services
from schutznetz.directory.forms import ShelterReportForm
from schutznetz.directory.models import DECLINE_FIELDS, DECLINE_REASONS, ShelterReport
from schutznetz.testing.factories import login, make_organisation, make_user

pytestmark = pytest.mark.django_db

ZERO = dict.fromkeys(DECLINE_FIELDS, 0)


def report(actor, shelter, free_places=1, **declined):
    return services.report_shelter_places(
        actor, shelter, free_places=free_places, children_allowed=True, declined=declined
    )


def test_reasons_are_counts_only_with_sensible_labels():
    labels = [str(label) for _name, label in DECLINE_REASONS]
    assert labels[0] == "Kein freier Platz" and labels[-1] == "Sonstiger Grund"
    assert {
        "Kinder konnten nicht mitkommen",
        "Barrierefreiheit fehlte",
        "Sprache",
        "Sicherheitsgründe",
    } <= set(labels)
    for name in DECLINE_FIELDS:
        assert ShelterReport._meta.get_field(name).get_internal_type() == "PositiveIntegerField"
    # The form offers nothing but numbers for the declined requests: no name, no free text.
    form = ShelterReportForm()
    assert set(form.fields) == {
        "free_places",
        "children_allowed",
        "child_places",
        "languages",
        *DECLINE_FIELDS,
    }
    assert all(form.fields[name].__class__.__name__ == "IntegerField" for name in DECLINE_FIELDS)


def test_counts_are_stored_with_the_report_in_one_audit_entry(anbieter, shelter):
    before = AuditEntry.objects.count()
    saved = report(anbieter, shelter, free_places=0, declined_no_place=2, declined_language=1)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.action == "directory.shelter.report" and "declined_no_place" in entry.changed_fields
    saved.refresh_from_db()
    assert saved.declined_no_place == 2 and saved.declined_language == 1 and saved.declined_safety == 0
    assert saved.declined_total == 3
    assert [(str(label), n) for label, n in saved.declined_by_reason()] == [
        ("Kein freier Platz", 2),
        ("Sprache", 1),
    ]


def test_zero_is_the_default_and_differs_from_not_recorded(anbieter, shelter):
    saved = services.report_shelter_places(anbieter, shelter, free_places=3, children_allowed=True)
    assert {name: getattr(saved, name) for name in DECLINE_FIELDS} == ZERO
    assert saved.declines_recorded and saved.declined_total == 0
    old = ShelterReport.objects.create(offer=shelter, free_places=1)  # a report from before the counts
    assert not old.declines_recorded and old.declined_total is None and old.declined_by_reason() == []


@pytest.mark.parametrize("name", ["free_places", "child_places", *DECLINE_FIELDS])
def test_negative_count_is_rejected_naming_the_field_and_changes_nothing(anbieter, shelter, name):
    label = str(ShelterReport._meta.get_field(name).verbose_name)
    values = {"free_places": 1, "child_places": 0, "declined": {}}
    if name in DECLINE_FIELDS:
        values["declined"] = {"declined_other": 1, name: -1}
    else:
        values[name] = -1
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        services.report_shelter_places(anbieter, shelter, children_allowed=True, **values)
    messages = error.value.message_dict
    assert list(messages) == [name]
    assert label.lower() in messages[name][0].lower() and "negativ" in messages[name][0]
    assert not ShelterReport.objects.exists()
    assert AuditEntry.objects.count() == audits


@pytest.mark.parametrize("value", ["3", 1.5, True, None, 501])
def test_counts_must_be_whole_numbers_in_range(anbieter, shelter, value):
    with pytest.raises(ValidationError) as error:
        report(anbieter, shelter, declined_safety=value)
    assert list(error.value.message_dict) == ["declined_safety"]
    assert "Sicherheitsgründe" in error.value.message_dict["declined_safety"][0]
    assert not ShelterReport.objects.exists()


def test_unknown_reason_is_rejected(anbieter, shelter):
    with pytest.raises(ValidationError, match="declined_name"):
        report(anbieter, shelter, declined_name=1)
    assert not ShelterReport.objects.exists()


def test_database_refuses_negative_or_partial_counts(shelter):
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterReport.objects.create(offer=shelter, free_places=1, **{**ZERO, "declined_language": -1})
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterReport.objects.create(offer=shelter, free_places=1, declined_no_place=1)  # others NULL
    assert not ShelterReport.objects.exists()


def test_only_own_editors_and_koordination_may_report(anbieter, shelter, shelter_org, koordination):
    assert report(koordination, shelter, declined_no_place=1).declined_no_place == 1
    assert report(anbieter, shelter, declined_no_place=2).declined_no_place == 2
    outsiders = [
        make_user(organisation=make_organisation("Anderes Frauenhaus", kind=OrganisationKind.FRAUENHAUS),
                  roles=[Role.ANBIETER]),
        make_user(organisation=shelter_org, roles=[Role.FACHKRAFT]),  # same house, not an editor
        make_user(organisation=make_organisation("Polizei Test"), roles=[Role.FACHKRAFT, Role.MODERATION]),
        make_user(organisation=make_organisation("DSB Test"), roles=[Role.DATENSCHUTZ]),
    ]  # fmt: skip
    audits = AuditEntry.objects.count()
    for user in outsiders:
        with pytest.raises(PermissionDenied):
            report(user, shelter, declined_no_place=5)
        # permission before validation: a bad count from an outsider is still "not allowed"
        with pytest.raises(PermissionDenied):
            report(user, shelter, declined_no_place=-1)
    assert ShelterReport.objects.count() == 2
    assert AuditEntry.objects.count() == audits


def test_outsider_cannot_post_the_form(client, shelter):
    other = make_user(organisation=make_organisation("Andere Beratung"), roles=[Role.ANBIETER])
    login(client, other)
    url = reverse("directory:shelter_report", args=[shelter.pk])
    response = client.post(url, {"free_places": "1", "declined_no_place": "3"})
    assert response.status_code == 404
    assert not ShelterReport.objects.exists()


def test_one_step_form_on_a_phone_records_the_counts(client, anbieter, shelter):
    login(client, anbieter)
    url = reverse("directory:shelter_report", args=[shelter.pk])
    page = client.get(url).content.decode()
    # One form, one button; the declined requests are folded away (no JS needed) and default to 0.
    # The report form, and the page frame's logout form and "stay signed in" form (session warning).
    assert page.count("<form") == 3
    assert '<details class="kern-accordion" id="abgewiesen">' in page  # closed until needed
    assert 'name="declined_no_place"' in page and 'value="0"' in page
    assert page.count('inputmode="numeric"') == 2 + len(DECLINE_FIELDS)
    assert "keine Namen" in page
    response = client.post(
        url,
        {
            "free_places": "0",
            "children_allowed": "on",
            "declined_no_place": "3",
            "declined_children": "1",
            "declined_safety": "",  # left empty: 0
        },
    )
    assert response.status_code == 302
    saved = ShelterReport.objects.get()
    assert (saved.declined_no_place, saved.declined_children, saved.declined_safety) == (3, 1, 0)
    history = client.get(url).content.decode()
    assert "4 (Kein freier Platz: 3, Kinder konnten nicht mitkommen: 1)" in history


def test_form_without_declined_fields_records_zeros(client, anbieter, shelter):
    login(client, anbieter)
    url = reverse("directory:shelter_report", args=[shelter.pk])
    assert client.post(url, {"free_places": "2", "children_allowed": "on"}).status_code == 302
    saved = ShelterReport.objects.get()
    assert saved.declines_recorded and saved.declined_total == 0


def test_form_rejects_a_negative_count_naming_it_and_opens_the_section(client, anbieter, shelter):
    login(client, anbieter)
    url = reverse("directory:shelter_report", args=[shelter.pk])
    response = client.post(url, {"free_places": "2", "declined_language": "-2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a class="kern-link" href="#id_declined_language">Sprache:' in page
    assert 'id="abgewiesen" open' in page
    assert not ShelterReport.objects.exists()


def test_overview_shows_declined_requests_of_the_last_seven_days(client, anbieter, shelter, make_offer):
    quiet = make_offer("Frauenhaus Ruhig", kinds=["frauenhaus"], street="Stillweg 1")
    report(anbieter, shelter, declined_no_place=2, declined_language=1)
    report(anbieter, shelter, declined_children=1)
    old = report(anbieter, shelter, declined_no_place=9)
    ShelterReport.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=8))
    ShelterReport.objects.create(offer=quiet, free_places=1)  # counts not recorded
    counts = queries.declined_in_last_days([shelter.pk, quiet.pk])
    assert counts == {shelter.pk: 4}
    police = make_user(organisation=make_organisation("Polizei Test"), roles=[Role.FACHKRAFT])
    login(client, police)
    html = client.get(reverse("directory:shelter_overview")).content.decode()
    assert "nicht aufgenommen (7 Tage)" in html
    rows = {
        name: html.split(name, 1)[1].split("</tr>", 1)[0]
        for name in ("Frauenhaus Teststadt", "Frauenhaus Ruhig")
    }
    assert rows["Frauenhaus Teststadt"].rstrip().endswith('<td class="kern-table__cell">4</td>')
    assert rows["Frauenhaus Ruhig"].rstrip().endswith('<td class="kern-table__cell">–</td>')


def test_public_pages_never_show_the_counts(client, anbieter, shelter):
    report(anbieter, shelter, declined_no_place=7)
    page = client.get(reverse("directory:offer_detail", args=[shelter.hsds_id])).content.decode()
    api = client.get(f"/api/v1/offers/{shelter.hsds_id}/").content.decode()
    for text in (page, api):
        assert "Kein freier Platz" not in text and "declined" not in text


def test_statistics_counts_per_reason_and_period(anbieter, shelter, make_offer):
    other = make_offer("Frauenhaus Zwei", kinds=["frauenhaus"], street="Zweiweg 2")
    koordination = make_user(organisation=make_organisation("K"), roles=[Role.KOORDINATION])
    report(anbieter, shelter, declined_no_place=2, declined_funding=1)
    report(koordination, other, declined_no_place=3)
    early = report(anbieter, shelter, declined_no_place=50)
    ShelterReport.objects.filter(pk=early.pk).update(reported_at=timezone.now() - timedelta(days=400))
    ShelterReport.objects.create(offer=shelter, free_places=0)  # not recorded
    now = timezone.now()
    counts = queries.declined_request_counts(now - timedelta(days=30), now + timedelta(seconds=1))
    assert counts.recorded and counts.unrecorded_reports == 1
    assert counts.by_reason == {**ZERO, "declined_no_place": 5, "declined_funding": 1}
    assert counts.total == 6
    own = queries.declined_request_counts(
        now - timedelta(days=30), now + timedelta(seconds=1), anbieter.organisation
    )
    assert own.by_reason["declined_no_place"] == 2 and own.total == 3
    nothing = queries.declined_request_counts(now - timedelta(days=3000), now - timedelta(days=500))
    assert not nothing.recorded and nothing.total == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(DECLINE_FIELDS),
        st.one_of(st.integers(-3, 600), st.none(), st.text(max_size=3), st.floats(allow_nan=False)),
        max_size=len(DECLINE_FIELDS),
    )
)
def test_any_input_is_stored_exactly_or_rejected_without_a_trace(anbieter, shelter, declined):
    reports, audits = ShelterReport.objects.count(), AuditEntry.objects.count()
    valid = all(type(v) is int and 0 <= v <= services.MAX_COUNT for v in declined.values())
    try:
        saved = report(anbieter, shelter, **declined)
    except ValidationError as error:
        assert not valid
        bad = {name for name, v in declined.items() if not (type(v) is int and 0 <= v <= services.MAX_COUNT)}
        assert set(error.message_dict) == bad
        assert (ShelterReport.objects.count(), AuditEntry.objects.count()) == (reports, audits)
    else:
        assert valid
        assert {name: getattr(saved, name) for name in DECLINE_FIELDS} == {**ZERO, **declined}
        assert (ShelterReport.objects.count(), AuditEntry.objects.count()) == (reports + 1, audits + 1)
