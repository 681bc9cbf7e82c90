"""Staff mails are in the site's language, whatever language the colleague who caused them uses."""

from django.urls import reverse
from django.utils import translation

from schutznetz.cases import services
from schutznetz.cases.models import LegalBasisKind, Section
from schutznetz.testing.factories import login


def test_a_share_made_on_the_english_pages_mails_the_partner_in_german(
    client, world, police_case, mailoutbox
):
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    mailoutbox.clear()
    login(client, world.polizist)
    with translation.override("en"):
        url = reverse("cases:share", args=[police_case.pk])
    assert url.startswith("/en/")
    response = client.post(url, {"organisation": world.beratung.pk, "sections": [Section.PERSONS]})
    assert response.status_code == 302
    [mail] = [m for m in mailoutbox if m.to == [world.beraterin.email]]
    assert mail.subject == "schutznetz: Ein Fall wurde mit Ihrer Organisation geteilt"
    assert "Ihre Organisation wurde an einem Fall beteiligt." in mail.body
    assert "/en/" not in mail.body and f"/intern/faelle/{police_case.pk}/" in mail.body
    assert police_case.number not in mail.subject + mail.body  # still a link only


def test_a_mail_caused_in_english_by_a_service_call_is_german_too(world, police_case, mailoutbox):
    mailoutbox.clear()
    with translation.override("en"):
        services.propose_for_conference(world.polizist, police_case)
    [mail] = mailoutbox
    assert mail.subject == "schutznetz: Neuer Fall für die Fallkonferenz"
    assert "/en/" not in mail.body
