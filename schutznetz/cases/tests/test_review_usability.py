"""Defects found walking the case module as its users do (police, counselling centre, conference chair,
data protection): odd input must not crash a page, every write confirms itself, the minutes' stamp names
the viewer correctly, forms are offered only to those who may send them."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from schutznetz.cases import services
from schutznetz.cases.models import Conference, Deadline, DeadlineKind, LegalBasisKind, Section
from schutznetz.testing.factories import login

from .test_views import _conference_with_plan


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _pdf_text(response):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


# --- the minutes' stamp ---------------------------------------------------------------------------------


def test_minutes_stamp_names_the_viewer_verbatim(client, world, police_case):
    """The page stamp is a CSS string: a hyphenated name must not come out as "Anna u002DLena"."""
    conference, _item = _conference_with_plan(world, police_case)
    world.polizist.first_name, world.polizist.last_name = "Anna-Lena", 'O\'Brien "Zwei" \\ Prüfer'
    world.polizist.save()
    services.acknowledge_confidentiality(world.polizist, conference)
    login(client, world.polizist)
    text = _pdf_text(client.get(reverse("cases:minutes_pdf", args=[conference.pk])))
    stamp = [line for line in text.splitlines() if line.startswith("VERTRAULICH")]
    assert stamp, text
    assert 'Anna-Lena O\'Brien "Zwei" \\ Prüfer' in stamp[0]
    assert "u002D" not in text and "u0027" not in text


def test_minutes_stamp_of_a_username_with_a_hyphen(client, world, police_case):
    conference, _item = _conference_with_plan(world, police_case)
    services.acknowledge_confidentiality(world.moderation, conference)
    world.moderation.username = "demo-moderation"
    world.moderation.save()
    login(client, world.moderation)
    text = _pdf_text(client.get(reverse("cases:minutes_pdf", args=[conference.pk])))
    assert "VERTRAULICH – demo-moderation – " in text


# --- odd input never answers 500 ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "9" * 5000])
def test_conference_form_with_an_impossible_organisation_id_names_the_field(client, world, value):
    login(client, world.moderation)
    response = client.post(
        reverse("cases:conference_create"),
        {"kind": "regular", "date": "2026-12-01", "invited_organisations": [value]},
    )
    assert response.status_code == 400
    assert "Eingeladene Organisationen" in response.content.decode()
    assert not Conference.objects.exists()


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "٣", "9" * 5000])
def test_attendance_with_an_impossible_user_id_changes_nothing(client, world, police_case, value):
    conference, _item = _conference_with_plan(world, police_case)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    response = client.post(reverse("cases:conference_attendance", args=[conference.pk]), {"present": [value]})
    assert response.status_code == 302
    assert not conference.attendances.filter(present=True).exists()


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775807", "-5", "zwei", "9" * 5000])
def test_case_list_with_an_impossible_page_number_shows_the_first_page(client, world, police_case, page):
    login(client, world.polizist)
    response = client.get(reverse("cases:list"), {"seite": page})
    assert response.status_code == 200
    assert police_case.number in response.content.decode()


# --- every write confirms itself -------------------------------------------------------------------------


def test_chronology_note_and_deadline_writes_confirm_themselves(client, world, police_case):
    login(client, world.polizist)
    today = timezone.localdate()
    response = client.post(reverse("cases:chronology_add", args=[police_case.pk]),
                           {"date": today.isoformat(), "kind": "event", "text": "Telefonat"})  # fmt: skip
    assert response.status_code == 302 and _messages(response) == [
        "Das Ereignis wurde in den Verlauf aufgenommen."
    ]
    response = client.post(reverse("cases:note_add", args=[police_case.pk]), {"text": "Rückruf erbeten"})
    assert _messages(response)[-1] == "Die Notiz wurde gespeichert."
    response = client.post(reverse("cases:deadline_add", args=[police_case.pk]),
                           {"kind": "return_ban", "ordered_on": today.isoformat()})  # fmt: skip
    deadline = Deadline.objects.get(case=police_case, kind=DeadlineKind.RETURN_BAN)
    assert _messages(response)[-1] == f"Die Frist wurde erfasst: {deadline.due_date:%d.%m.%Y}."
    response = client.post(reverse("cases:return_ban_update", args=[police_case.pk, deadline.pk]),
                           {"application_filed_on": today.isoformat()})  # fmt: skip
    deadline.refresh_from_db()
    assert (
        _messages(response)[-1]
        == f"Das Rückkehrverbot wurde aktualisiert; es endet am {deadline.due_date:%d.%m.%Y}."
    )
    response = client.post(reverse("cases:deadline_done", args=[police_case.pk, deadline.pk]))
    assert _messages(response)[-1] == "Die Frist ist als erledigt vermerkt."


def test_conference_writes_confirm_themselves(client, world, police_case):
    conference, item = _conference_with_plan(world, police_case)
    login(client, world.moderation)
    response = client.post(reverse("cases:conference_create"),
                           {"kind": "ad_hoc", "date": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 302 and _messages(response) == ["Die Fallkonferenz wurde angelegt."]
    response = client.post(reverse("cases:conference_acknowledge", args=[conference.pk]), {"confirm": "1"})
    assert _messages(response)[-1] == "Vertraulichkeit bestätigt. Die Tagesordnung ist jetzt sichtbar."
    action = police_case.actions.get()
    response = client.post(reverse("cases:action_review", args=[conference.pk, item.pk, action.pk]),
                           {"review": "done"})  # fmt: skip
    assert _messages(response)[-1] == "Die Überprüfung der Maßnahme wurde gespeichert."
    response = client.post(reverse("cases:conference_held", args=[conference.pk]))
    assert _messages(response)[-1] == "Die Fallkonferenz ist als durchgeführt vermerkt."


# --- forms are offered only to those who may send them ----------------------------------------------------


@pytest.mark.parametrize("url_name", ["cases:chronology_add", "cases:note_add", "cases:deadline_add"])
def test_section_forms_are_refused_before_typing_when_the_section_is_not_shared(
    client, world, police_case, url_name
):
    """The counselling centre sees the persons only: it must not be offered a form it cannot send."""
    services.record_legal_basis(world.polizist, police_case, world.beratung, LegalBasisKind.POLG_34A)
    services.share_case(world.polizist, police_case, world.beratung, [Section.PERSONS])
    login(client, world.beraterin)
    assert client.get(reverse(url_name, args=[police_case.pk])).status_code == 403
    services.share_case(world.polizist, police_case, world.beratung, [Section.CHRONOLOGY, Section.NOTES,
                                                                      Section.DEADLINES])  # fmt: skip
    assert client.get(reverse(url_name, args=[police_case.pk])).status_code == 200


def test_access_lookup_is_for_data_protection_only(client, world, police_case):
    """Koordination was told "no case with this number" for a case that exists."""
    login(client, world.koordination)
    response = client.get(reverse("cases:access_lookup"), {"nummer": police_case.number})
    assert response.status_code == 403
    login(client, world.datenschutz)
    response = client.get(reverse("cases:access_lookup"), {"nummer": police_case.number})
    assert reverse("cases:access_report_pdf", args=[police_case.pk]) in response.content.decode()


# --- wording ------------------------------------------------------------------------------------------------


def test_risk_assessments_name_the_instrument_not_its_file_id(client, world, police_case):
    services.assess_risk(world.polizist, police_case, "partnergewalt", {"strangulation": True})
    login(client, world.polizist)
    body = client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    assert "· partnergewalt ·" not in body
    assert body.count("Checkliste Gewalt in Paarbeziehungen") >= 2  # the assessment and the form link


def test_agenda_item_names_the_instrument(client, world, police_case):
    services.assess_risk(world.polizist, police_case, "partnergewalt", {"strangulation": True})
    conference, item = _conference_with_plan(world, police_case)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    body = client.get(reverse("cases:agenda_item", args=[conference.pk, item.pk])).content.decode()
    assert "(Checkliste Gewalt in Paarbeziehungen, " in body and "(partnergewalt," not in body


def test_conference_location_is_a_location_in_english(client, world):
    login(client, world.moderation)
    body = client.get("/en" + reverse("cases:conference_create")).content.decode()
    assert "Location" in body and "Town" not in body


def test_action_page_links_back_to_its_case(client, world, police_case):
    conference, _item = _conference_with_plan(world, police_case)
    action = police_case.actions.get()
    login(client, world.polizist)
    body = client.get(reverse("cases:action_detail", args=[action.pk])).content.decode()
    assert f'href="{reverse("cases:detail", args=[police_case.pk])}"' in body


@pytest.mark.parametrize("path", ["cases/abc/", "cases/%C2%B2/", "actions/abc/", "actions/1.5/"])
def test_api_answers_404_for_an_id_that_is_no_number(client, world, police_case, path):
    login(client, world.polizist)
    assert client.get(f"/api/v1/{path}").status_code == 404
    assert (
        client.patch(f"/api/v1/{path}", {"status": "done"}, content_type="application/json").status_code
        == 404
    )


def test_attendance_form_keeps_those_recorded_absent_unticked(client, world, police_case):
    """Saving the attendance again (a latecomer) must not turn the absent into present ones."""
    conference, _item = _conference_with_plan(world, police_case)
    services.acknowledge_confidentiality(world.moderation, conference)
    services.acknowledge_confidentiality(world.polizist, conference)
    login(client, world.moderation)
    body = client.get(reverse("cases:conference_detail", args=[conference.pk])).content.decode()
    assert f'value="{world.polizist.pk}" id="present-{world.polizist.pk}" checked' in body  # not yet recorded
    client.post(
        reverse("cases:conference_attendance", args=[conference.pk]), {"present": [world.moderation.pk]}
    )
    body = client.get(reverse("cases:conference_detail", args=[conference.pk])).content.decode()
    assert f'value="{world.polizist.pk}" id="present-{world.polizist.pk}">' in body
    assert f'value="{world.moderation.pk}" id="present-{world.moderation.pk}" checked' in body


def test_legal_hold_leads_back_to_where_it_was_opened(client, world, police_case):
    """Datenschutz opens the hold from the Art. 15 look-up and returns there; the lead from its case."""
    lookup = reverse("cases:access_lookup") + f"?nummer={police_case.number}"
    url = reverse("cases:legal_hold", args=[police_case.pk])
    login(client, world.datenschutz)
    assert f'href="{lookup}"' in client.get(url).content.decode()
    response = client.post(url, {"hold": "on", "legal_hold_reason": "Strafverfahren"})
    assert response.status_code == 302 and response["Location"] == lookup
    login(client, world.polizist)
    case_url = reverse("cases:detail", args=[police_case.pk])
    assert f'href="{case_url}"' in client.get(url).content.decode()
    response = client.post(url, {"legal_hold_reason": ""})
    assert response.status_code == 302 and response["Location"] == case_url
    police_case.refresh_from_db()
    assert not police_case.legal_hold


def test_a_held_conference_does_not_collect_new_proposals(client, world, police_case):
    """After the meeting a new proposal belongs to the next conference, not to last week's agenda."""
    conference, _item = _conference_with_plan(world, police_case)
    services.mark_conference_held(world.moderation, conference)
    stalking, _notices = services.create_case(
        world.polizist, category="stalking", persons=[{"role": "at_risk", "last_name": "Beispiel"}]
    )
    proposal = services.propose_for_conference(world.polizist, stalking)
    services.acknowledge_confidentiality(world.moderation, conference)
    login(client, world.moderation)
    detail = reverse("cases:conference_detail", args=[conference.pk])
    build = reverse("cases:conference_build_agenda", args=[conference.pk])
    assert build not in client.get(detail).content.decode()
    response = client.post(build, follow=True)
    assert "bereits durchgeführt" in response.content.decode()
    assert not conference.agenda_items.filter(case=stalking).exists()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_creating_a_case_with_the_proposal_ticked_says_it_was_proposed(client, world):
    login(client, world.polizist)
    response = client.post(reverse("cases:create"), {
        "category": "stalking", "role": "at_risk", "last_name": "Beispiel", "propose": "on",
    })  # fmt: skip
    assert response.status_code == 302
    assert "Der Fall wurde für die nächste Fallkonferenz vorgeschlagen." in _messages(response)


def test_chronology_keeps_the_lines_of_an_entry(client, world, police_case):
    services.add_chronology_entry(world.polizist, police_case, date=timezone.localdate(),
                                  text="Anruf der Schule.\nKind war zwei Tage nicht da.")  # fmt: skip
    login(client, world.polizist)
    body = client.get(reverse("cases:detail", args=[police_case.pk])).content.decode()
    assert "Anruf der Schule.<br>Kind war zwei Tage nicht da." in body


@pytest.mark.parametrize(
    ("application", "decision", "field", "text"),
    [
        (-1, None, "Antrag nach Gewaltschutzgesetz gestellt am", "nicht vor der Anordnung"),
        (None, 3, "Gerichtliche Entscheidung am", "setzt einen Antrag"),
        (4, 2, "Gerichtliche Entscheidung am", "nicht vor dem Antrag"),
    ],
)
def test_impossible_return_ban_dates_name_the_field_and_change_nothing(
    client, world, police_case, application, decision, field, text
):
    ordered = timezone.localdate() - datetime.timedelta(days=5)
    deadline = services.add_deadline(
        world.polizist, police_case, kind=DeadlineKind.RETURN_BAN, ordered_on=ordered
    )
    due = deadline.due_date

    def day(offset):
        return "" if offset is None else (ordered + datetime.timedelta(days=offset)).isoformat()

    login(client, world.polizist)
    response = client.post(reverse("cases:return_ban_update", args=[police_case.pk, deadline.pk]),
                           {"application_filed_on": day(application), "court_decision_on": day(decision)})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400 and field in body and text in body
    deadline.refresh_from_db()
    assert deadline.due_date == due and deadline.application_filed_on is None
    if decision is None:  # the same check when the return ban is recorded with its application
        response = client.post(reverse("cases:deadline_add", args=[police_case.pk]), {
            "kind": "return_ban", "ordered_on": ordered.isoformat(), "application_filed_on": day(application),
        })  # fmt: skip
        assert response.status_code == 400 and text in response.content.decode()
        assert Deadline.objects.filter(case=police_case, kind=DeadlineKind.RETURN_BAN).count() == 1


def test_a_note_longer_than_ten_pages_is_refused_and_kept_for_shortening(client, world, police_case):
    from schutznetz.cases.models import CaseNote
    from schutznetz.core.forms import LONG_TEXT_MAX_LENGTH

    login(client, world.polizist)
    text = "Gesprächsnotiz " + "x" * LONG_TEXT_MAX_LENGTH
    response = client.post(reverse("cases:note_add", args=[police_case.pk]), {"text": text})
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert "höchstens" in html and "Zeichen" in html
    assert text in html  # nothing typed is lost
    assert not CaseNote.objects.filter(case=police_case).exists()


def test_an_action_outcome_over_the_api_is_bounded_like_the_form(client, world, police_case):
    from schutznetz.core.forms import LONG_TEXT_MAX_LENGTH

    _conference, item = _conference_with_plan(world, police_case)
    action = item.actions.get()
    login(client, world.polizist)
    url = f"/api/v1/actions/{action.pk}/"
    body = {"status": "done", "outcome": "x" * (LONG_TEXT_MAX_LENGTH + 1)}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 400 and "outcome" in response.json()
    action.refresh_from_db()
    assert action.status != "done" and action.outcome == ""
    body["outcome"] = "erledigt"
    assert client.patch(url, body, content_type="application/json").status_code == 200
