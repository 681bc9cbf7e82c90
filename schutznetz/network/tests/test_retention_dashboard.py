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
    Accession.objects.filter(pk=old.pk).update(withdrawn_on=timezone.localdate() - datetime.timedelta(days=3700))
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
    services.record_confirmation(koordination, partners[0], v2, signatory_name="A", signatory_function="L", confirmed_on=timezone.localdate())
    (panel,) = dashboard.panels(fachkraft)
    assert panel["context"]["pending_confirmation"] is False
