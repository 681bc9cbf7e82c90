"""Defects found in a second review, walking the module as its users do: the chair's colleague printing
minutes of a conference she never acknowledged, an organisation whose consent was withdrawn reading
actions agreed afterwards, action reads missing from the Art. 15 report, links into a 404, minutes whose
long words ran off the page, and "within 12 months" across a 29 February."""

import datetime
import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from schutznetz.accounts.models import Role
from schutznetz.cases import queries, services
from schutznetz.cases.models import Case, LegalBasis, Section
from schutznetz.core.models import AccessLogEntry
from schutznetz.testing.factories import login, make_user

from .test_views import _conference_with_plan


def _pdf_lines(response):
    reader = PdfReader(io.BytesIO(response.content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


# --- minutes only after one's own acknowledgement ----------------------------------------------------


def test_minutes_need_the_viewers_own_acknowledgement_also_at_the_chair(client, world, police_case):
    conference, _item = _conference_with_plan(world, police_case)
    colleague = make_user("moderation-2", world.jugendamt, roles=(Role.MODERATION,))
    url = reverse("cases:minutes_pdf", args=[conference.pk])
    login(client, colleague)
    assert client.get(url).status_code == 404
    assert not AccessLogEntry.objects.filter(user=colleague, purpose="minutes").exists()
    services.acknowledge_confidentiality(colleague, conference)
    response = client.get(url)
    assert response.status_code == 200 and "Gefährderansprache" in "".join(_pdf_lines(response))


# --- withdrawn consent: actions agreed afterwards stay hidden everywhere -------------------------------


def _withdrawn_then_action(world, case):
    services.share_case(world.polizist, case, world.beratung, [Section.ACTIONS])
    conference, item = _conference_with_plan(world, case)
    before = case.actions.get()
    basis = LegalBasis.objects.get(case=case, organisation=world.beratung)
    services.withdraw_legal_basis(world.polizist, basis)
    after = services.add_action(
        world.moderation, item, description="Nach dem Widerruf vereinbart", organisation=world.police
    )
    return before, after


def test_action_agreed_after_withdrawal_is_hidden_from_page_and_api(world, shared_with_beratung):
    before, after = _withdrawn_then_action(world, shared_with_beratung)
    client = login(Client(), world.beraterin)
    assert client.get(reverse("cases:action_detail", args=[after.pk])).status_code == 404
    assert client.get(f"/api/v1/actions/{after.pk}/").status_code == 404
    listed = [a["id"] for a in client.get("/api/v1/actions/").json()["results"]]
    assert listed == [before.pk]
    # what was lawfully shared before stays
    assert client.get(reverse("cases:action_detail", args=[before.pk])).status_code == 200
    body = client.get(reverse("cases:detail", args=[shared_with_beratung.pk])).content.decode()
    assert "Gefährderansprache" in body and "Nach dem Widerruf" not in body


def test_a_new_legal_basis_shows_the_later_action_again(world, shared_with_beratung):
    from schutznetz.cases.models import LegalBasisKind

    _before, after = _withdrawn_then_action(world, shared_with_beratung)
    services.record_legal_basis(world.polizist, shared_with_beratung, world.beratung, LegalBasisKind.POLG_34A)
    assert queries.actions_for(world.beraterin).filter(pk=after.pk).exists()


# --- reading actions is in the case's access log (Art. 15) -------------------------------------------


def test_reading_an_action_counts_in_the_art_15_report(world, police_case):
    _conference, _item = _conference_with_plan(world, police_case)
    action = police_case.actions.get()
    client = login(Client(), world.polizist)
    AccessLogEntry.objects.all().delete()
    assert client.get(reverse("cases:action_detail", args=[action.pk])).status_code == 200
    assert client.get("/api/v1/actions/").status_code == 200
    case_reads = AccessLogEntry.objects.about("cases.case", police_case.pk)
    assert sorted(case_reads.values_list("purpose", flat=True)) == ["action", "api_list"]
    [row] = queries.access_report(police_case)
    assert row["organisation"] == world.police.name and row["reads"] == 2
    assert row["kinds"] == {"opened": 1, "listed": 1}


# --- no links into a 404 -----------------------------------------------------------------------------


def test_chair_sees_no_case_link_on_a_proposal_it_cannot_open_yet(world, police_case):
    services.propose_for_conference(world.polizist, police_case)
    proposal = police_case.referrals.get()
    client = login(Client(), world.moderation)
    body = client.get(reverse("cases:referral_detail", args=[proposal.pk])).content.decode()
    case_url = reverse("cases:detail", args=[police_case.pk])
    assert client.get(case_url).status_code == 404
    assert f'href="{case_url}"' not in body
    # once the case stands on its agenda, the chair may open it and gets the link
    conference = services.create_conference(
        world.moderation, date=timezone.localdate(), invited_organisations=[world.police]
    )
    services.build_agenda(world.moderation, conference)
    body = client.get(reverse("cases:referral_detail", args=[proposal.pk])).content.decode()
    assert f'href="{case_url}"' in body and client.get(case_url).status_code == 200


def test_chair_sees_the_action_plan_on_the_case_page_without_links_into_a_404(world, police_case):
    _conference, _item = _conference_with_plan(world, police_case)
    action = police_case.actions.get()
    action_url = reverse("cases:action_detail", args=[action.pk])
    chair = login(Client(), world.moderation)
    body = chair.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    assert "Gefährderansprache" in body and f'href="{action_url}"' not in body
    assert chair.get(action_url).status_code == 404
    police = login(Client(), world.polizist)
    assert (
        f'href="{action_url}"' in police.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    )


# --- minutes PDF with long text -----------------------------------------------------------------------


def test_long_words_in_the_minutes_wrap_instead_of_running_off_the_page(client, world, police_case):
    conference, item = _conference_with_plan(world, police_case)
    link = "https://akte.example.org/" + "a" * 400
    services.record_case_outcome(world.moderation, item, decisions=f"Siehe {link} Ende")
    services.add_action(
        world.moderation, item, description="B" * 600, organisation=world.police, responsible_person="C" * 200
    )
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    lines = _pdf_lines(client.get(reverse("cases:minutes_pdf", args=[conference.pk])))
    text = "".join(lines)
    assert text.count("a" * 50) >= 8 and text.count("B") >= 600 and "Ende" in text
    # an A4 line holds about 100 characters; one that long ran off the page
    assert max(len(line) for line in lines) < 110, max(lines, key=len)[:80]
    # the short columns stay readable: the date of the first action is on one line
    assert any("Gefährderansprache" in line and "Polizei Test" in line for line in lines)


# --- "within 12 months" counts calendar months --------------------------------------------------------


def test_incident_on_the_anniversary_counts_in_a_leap_year_as_in_any_other(world, police_case):
    def repeat(last, incident):
        Case.objects.filter(pk=police_case.pk).update(last_conferenced_on=last)
        return services.incident_is_repeat(police_case, incident)

    assert repeat(datetime.date(2026, 3, 5), datetime.date(2027, 3, 5))  # 365 days
    assert repeat(datetime.date(2027, 3, 5), datetime.date(2028, 3, 5))  # 366 days: 29 Feb 2028 between
    assert not repeat(datetime.date(2027, 3, 5), datetime.date(2028, 3, 6))
    assert repeat(datetime.date(2028, 2, 29), datetime.date(2029, 2, 28))
    assert not repeat(datetime.date(2028, 2, 29), datetime.date(2029, 3, 1))


def test_repeat_detection_looks_back_twelve_calendar_months_across_29_february(world):
    from .conftest import ANNA

    tz = timezone.get_current_timezone()
    earlier, _n = services.create_case(
        world.polizist, category="haeusliche_gewalt", municipality="Soest", persons=[ANNA],
    )  # fmt: skip
    Case.objects.filter(pk=earlier.pk).update(created_at=datetime.datetime(2027, 3, 5, 9, 0, tzinfo=tz))
    later, _n = services.create_case(world.polizist, category="haeusliche_gewalt", municipality="Soest")
    person = later.persons.create(role=ANNA["role"], first_name="Anna", last_name="Müller",
                                  date_of_birth=ANNA["date_of_birth"],
                                  identity_index=earlier.persons.get().identity_index)  # fmt: skip
    now = datetime.datetime(2028, 3, 5, 8, 0, tzinfo=tz)
    notices = services.detect_repeats(world.polizist, later, person, now=now)
    assert [n.earlier_case_number for n in notices] == [earlier.number]


# --- § 8a review dates: the conference's and the Jugendamt's own ----------------------------------------


def test_conference_review_date_beside_two_own_review_dates_of_the_jugendamt(client, world):
    from schutznetz.cases.models import Category, DeadlineKind

    today = timezone.localdate()
    case, _n = services.create_case(world.jugendamt_fk, category=Category.KINDESWOHL, municipality="Soest")
    for days in (10, 40):
        services.add_deadline(
            world.jugendamt_fk, case, kind=DeadlineKind.REVIEW_8A, due_date=today + datetime.timedelta(days)
        )
    services.propose_for_conference(world.jugendamt_fk, case)
    conference = services.create_conference(world.moderation, date=today)
    [item] = services.build_agenda(world.moderation, conference)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    url = reverse("cases:agenda_item", args=[conference.pk, item.pk])
    review = today + datetime.timedelta(days=20)
    response = client.post(url, {"decisions": "Hilfeplan", "next_review_date": review.isoformat()})
    assert response.status_code == 302
    dates = sorted(case.deadlines.filter(kind=DeadlineKind.REVIEW_8A).values_list("due_date", flat=True))
    assert dates == [today + datetime.timedelta(10), review, today + datetime.timedelta(40)]
    # recording the outcome again moves the conference's review date, not the Jugendamt's own
    later = today + datetime.timedelta(days=25)
    assert (
        client.post(url, {"decisions": "Hilfeplan", "next_review_date": later.isoformat()}).status_code == 302
    )
    dates = sorted(case.deadlines.filter(kind=DeadlineKind.REVIEW_8A).values_list("due_date", flat=True))
    assert dates == [today + datetime.timedelta(10), later, today + datetime.timedelta(40)]


# --- the Frauenberatung: no form for a step that is not possible --------------------------------------


def test_receiver_is_offered_only_the_possible_next_steps(client, world, shared_with_beratung):
    from schutznetz.cases.models import ReferralStatus

    referral = services.create_referral(world.polizist, shared_with_beratung, world.beratung)
    login(client, world.beraterin)
    url = reverse("cases:referral_detail", args=[referral.pk])
    body = client.get(url).content.decode()
    assert 'value="accepted"' in body and 'value="declined"' in body and 'value="completed"' not in body
    services.update_referral(world.beraterin, referral, ReferralStatus.ACCEPTED)
    body = client.get(url).content.decode()
    assert 'value="completed"' in body and 'value="accepted"' not in body
    services.update_referral(world.beraterin, referral, ReferralStatus.COMPLETED)
    body = client.get(url).content.decode()
    assert 'name="status"' not in body and "Stand ändern" not in body
    assert 'name="first_contact_at"' in body  # the first contact can still be recorded


# --- retention: a decline reason is free text about the case -------------------------------------------


def test_retention_erases_the_reasons_referrals_were_declined(world, shared_with_beratung, settings):
    import io

    from django.core.management import call_command

    from schutznetz.cases.models import CloseReason, Referral, ReferralStatus

    referral = services.create_referral(world.polizist, shared_with_beratung, world.beratung)
    services.update_referral(
        world.beraterin, referral, ReferralStatus.DECLINED, "Frau Müller ist nach Hamm gezogen"
    )
    services.close_case(world.polizist, shared_with_beratung, CloseReason.MOVED)
    Case.objects.filter(pk=shared_with_beratung.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=800)
    )
    settings.SCHUTZNETZ_CASE_RETENTION_DAYS = 730
    call_command("apply_retention", stdout=io.StringIO())
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.decline_reason == "–" and referral.status == ReferralStatus.DECLINED


def test_opening_a_referral_counts_in_the_art_15_report(world, shared_with_beratung):
    from schutznetz.cases.models import ReferralStatus

    referral = services.create_referral(world.polizist, shared_with_beratung, world.beratung)
    services.update_referral(world.beraterin, referral, ReferralStatus.DECLINED, "Keine Kapazität")
    AccessLogEntry.objects.all().delete()
    client = login(Client(), world.beraterin)
    assert (
        "Keine Kapazität" in client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    )
    [row] = queries.access_report(shared_with_beratung)
    assert row["organisation"] == world.beratung.name and row["kinds"] == {"other": 1}


# --- hidden names stay hidden when switching between open and closed cases ----------------------------


def test_switching_to_closed_cases_keeps_the_names_hidden(world, police_case):
    import re

    from schutznetz.cases.models import CloseReason

    closed, _n = services.create_case(world.polizist, category="stalking", municipality="Soest", persons=[
        {"role": "at_risk", "first_name": "Clara", "last_name": "Beispiel"}])  # fmt: skip
    services.close_case(world.polizist, closed, CloseReason.RISK_REDUCED)
    client = login(Client(), world.polizist)
    body = client.get(reverse("cases:list") + "?namen=aus").content.decode()
    assert "Anna" not in body
    switch = re.search(r'href="(\?[^"]*status=abgeschlossen[^"]*)"', body).group(1).replace("&amp;", "&")
    body = client.get(reverse("cases:list") + switch).content.decode()
    assert closed.number in body and "Clara" not in body
    back = re.search(r'href="(\?[^"]*)">Offene Fälle', body).group(1).replace("&amp;", "&")
    body = client.get(reverse("cases:list") + back).content.decode()
    assert police_case.number in body and "Anna" not in body


# --- a return ban cannot have been ordered in the future -------------------------------------------------


def test_return_ban_ordered_in_the_future_is_refused_naming_the_field(client, world, police_case):
    from schutznetz.cases.models import Deadline

    login(client, world.polizist)
    url = reverse("cases:deadline_add", args=[police_case.pk])
    future = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    response = client.post(url, {"kind": "return_ban", "ordered_on": future})
    body = response.content.decode()
    assert response.status_code == 400 and "Rückkehrverbot angeordnet am" in body and "heutigen Tag" in body
    today = timezone.localdate().isoformat()
    response = client.post(url, {"kind": "return_ban", "ordered_on": today, "application_filed_on": future})
    assert response.status_code == 400 and "Antrag nach Gewaltschutzgesetz" in response.content.decode()
    assert not Deadline.objects.exists()
    assert client.post(url, {"kind": "return_ban", "ordered_on": today}).status_code == 302


# --- screen readers: repeated buttons say what they act on ---------------------------------------------


def test_repeated_buttons_on_the_case_page_name_what_they_act_on(world, shared_with_beratung):
    import re

    from schutznetz.cases.models import DeadlineKind, LegalBasisKind

    case = shared_with_beratung
    services.record_legal_basis(world.polizist, case, world.jugendamt, LegalBasisKind.CONSENT,
                                consent_date=timezone.localdate(), consent_scope="Personen",
                                consent_given_by="Anna Müller")  # fmt: skip
    services.invite_organisation(world.polizist, case, world.jugendamt)
    services.add_deadline(world.polizist, case, kind=DeadlineKind.RETURN_BAN, ordered_on=timezone.localdate())
    services.add_deadline(world.polizist, case, kind=DeadlineKind.COURT_HEARING,
                          due_date=timezone.localdate() + datetime.timedelta(days=3))  # fmt: skip
    body = login(Client(), world.polizist).get(reverse("cases:detail", args=[case.pk])).content.decode()

    def names(label):
        return [
            re.sub(r"<[^>]+>|\s+", " ", b).strip() for b in re.findall(rf"{label}(.*?)</button>", body, re.S)
        ]

    ending = names("Beteiligung beenden")
    assert any("Frauenberatung Test" in n for n in ending) and any("Jugendamt Test" in n for n in ending)
    done = names(r'"kern-label">erledigt')
    assert (
        len(done) == 2
        and any("Rückkehrverbot" in n for n in done)
        and any("Gerichtstermin" in n for n in done)
    )
    assert any("Jugendamt Test" in n for n in names("Widerruf erfassen"))


def test_minutes_hide_decisions_recorded_after_the_consent_was_withdrawn(client, world, shared_with_beratung):
    case = shared_with_beratung
    conference, item = _conference_with_plan(world, case)  # decisions "Schutzplan vereinbart"
    services.acknowledge_confidentiality(world.beraterin, conference)
    login(client, world.beraterin)
    url = reverse("cases:minutes_pdf", args=[conference.pk])
    assert "Schutzplan vereinbart" in "".join(_pdf_lines(client.get(url)))
    services.withdraw_legal_basis(
        world.polizist, LegalBasis.objects.get(case=case, organisation=world.beratung)
    )
    services.record_case_outcome(world.moderation, item, decisions="Umzug in eine Schutzwohnung")
    text = "".join(_pdf_lines(client.get(url)))
    assert "Umzug" not in text and "Schutzplan" not in text and "nicht freigegeben" in text
    login(client, world.polizist)
    services.acknowledge_confidentiality(world.polizist, conference)
    assert "Umzug in eine Schutzwohnung" in "".join(_pdf_lines(client.get(url)))


# --- a closed case: no new actions, and its open actions leave the start page ---------------------------


def test_closed_case_takes_no_new_actions_and_leaves_the_start_page(client, world, police_case):
    import pytest
    from django.core.exceptions import ValidationError

    from schutznetz.cases.models import CloseReason

    conference, item = _conference_with_plan(world, police_case)  # an open action of the police
    police = login(Client(), world.polizist)
    assert police_case.number in police.get(reverse("core:staff_home")).content.decode()
    services.close_case(world.polizist, police_case, CloseReason.RISK_REDUCED)
    assert police_case.number not in police.get(reverse("core:staff_home")).content.decode()
    assert not queries.open_actions_for_org(world.polizist).exists()
    with pytest.raises(ValidationError):
        services.add_action(world.moderation, item, description="Nachsorge", organisation=world.police)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    url = reverse("cases:agenda_item", args=[conference.pk, item.pk])
    body = client.get(url).content.decode()
    assert 'name="description"' not in body and "Der Fall wurde abgeschlossen." in body
    response = client.post(url, {"description": "Nachsorge", "organisation": world.police.pk})
    assert response.status_code == 400 and police_case.actions.count() == 1


# --- the lead reaches the Art. 15 report and the legal hold also once the case is closed ----------------


def test_lead_finds_art_15_report_and_legal_hold_on_the_closed_case(world, police_case):
    from schutznetz.cases.models import CloseReason

    services.close_case(world.polizist, police_case, CloseReason.RISK_REDUCED)
    client = login(Client(), world.polizist)
    body = client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    hold_url = reverse("cases:legal_hold", args=[police_case.pk])
    assert f'href="{reverse("cases:access_report_pdf", args=[police_case.pk])}"' in body
    assert f'href="{hold_url}"' in body
    response = client.post(hold_url, {"hold": "on", "legal_hold_reason": "Strafverfahren anhängig"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[police_case.pk]
    )
    police_case.refresh_from_db()
    assert police_case.legal_hold


# --- first contact in the minute of the referral ----------------------------------------------------------


def test_first_contact_in_the_same_minute_as_the_referral_is_accepted(client, world, shared_with_beratung):
    from schutznetz.cases.models import Referral

    referral = services.create_referral(world.polizist, shared_with_beratung, world.beratung)
    referred = timezone.localtime().replace(second=40, microsecond=0) - datetime.timedelta(minutes=3)
    Referral.objects.filter(pk=referral.pk).update(referred_at=referred)
    login(client, world.beraterin)
    url = reverse("cases:referral_detail", args=[referral.pk])
    minute = referred.strftime("%Y-%m-%dT%H:%M")
    before = (referred - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"first_contact_at": before})
    assert response.status_code == 400 and "nicht vor der Vermittlung" in response.content.decode()
    assert client.post(url, {"first_contact_at": minute}).status_code == 302
    referral.refresh_from_db()
    assert timezone.localtime(referral.first_contact_at).strftime("%Y-%m-%dT%H:%M") == minute


# --- withdrawn consent: a person corrected afterwards (a new address) is not shown ------------------------


def test_person_corrected_after_the_withdrawal_stays_hidden(world, shared_with_beratung):
    case = shared_with_beratung
    client = login(Client(), world.beraterin)
    services.withdraw_legal_basis(
        world.polizist, LegalBasis.objects.get(case=case, organisation=world.beratung)
    )
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Musterweg 1" in body and "Kita Sonnenschein" in body  # lawfully shared before: stays
    anna = case.persons.get(role="at_risk")
    anna.case = case
    services.update_person(world.polizist, anna, address="Schutzwohnung, Geheimweg 7", last_name="Neumann")
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Geheimweg" not in body and "Neumann" not in body and "Musterweg" not in body
    assert "Kita Sonnenschein" in body  # the child, not corrected, stays
    listing = client.get(reverse("cases:list")).content.decode()
    assert case.number in listing and "Neumann" not in listing and "Anna" not in listing
    # the police, which leads the case, sees the correction
    police = login(Client(), world.polizist).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Geheimweg 7" in police and "Neumann" in police


def test_action_whose_outcome_changed_after_the_withdrawal_stays_hidden(client, world, shared_with_beratung):
    from schutznetz.cases.models import ActionStatus

    case = shared_with_beratung
    services.share_case(world.polizist, case, world.beratung, [Section.ACTIONS])
    conference, _item = _conference_with_plan(world, case)
    action = case.actions.get()
    services.acknowledge_confidentiality(world.beraterin, conference)
    login(client, world.beraterin)
    detail_url = reverse("cases:action_detail", args=[action.pk])
    services.withdraw_legal_basis(
        world.polizist, LegalBasis.objects.get(case=case, organisation=world.beratung)
    )
    assert client.get(detail_url).status_code == 200  # agreed before the withdrawal: stays
    services.update_action(world.polizist, action, status=ActionStatus.DONE, outcome="Umzug nach Geheimstadt")
    assert client.get(detail_url).status_code == 404
    assert client.get("/api/v1/actions/").json()["results"] == []
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Gefährderansprache" not in body and "Geheimstadt" not in body
    minutes = "".join(_pdf_lines(client.get(reverse("cases:minutes_pdf", args=[conference.pk]))))
    assert "Geheimstadt" not in minutes and "Gefährderansprache" not in minutes
    # the police, which holds the action and leads the case, still sees it
    assert login(Client(), world.polizist).get(detail_url).status_code == 200
