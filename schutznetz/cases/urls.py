from django.urls import path

from schutznetz.cases import views

app_name = "cases"

urlpatterns = [
    path("intern/faelle/", views.case_list, name="list"),
    path("intern/faelle/zahlen/", views.counts, name="counts"),
    path("intern/faelle/auskunft/", views.access_report_lookup, name="access_lookup"),
    path("intern/faelle/neu/", views.case_create, name="create"),
    path("intern/faelle/<int:case_id>/", views.case_detail, name="detail"),
    path("intern/faelle/<int:case_id>/korrigieren/", views.case_correct, name="correct"),
    path("intern/faelle/<int:case_id>/personen/neu/", views.person_add, name="person_add"),
    path(
        "intern/faelle/<int:case_id>/personen/<int:person_id>/bearbeiten/",
        views.person_edit,
        name="person_edit",
    ),
    path(
        "intern/faelle/<int:case_id>/personen/<int:person_id>/entfernen/",
        views.person_remove,
        name="person_remove",
    ),
    path("intern/faelle/<int:case_id>/rechtsgrundlagen/neu/", views.legal_basis_add, name="legal_basis_add"),
    path(
        "intern/faelle/<int:case_id>/rechtsgrundlagen/<int:basis_id>/widerrufen/",
        views.legal_basis_withdraw,
        name="legal_basis_withdraw",
    ),
    path("intern/faelle/<int:case_id>/einladen/", views.invite, name="invite"),
    path("intern/faelle/<int:case_id>/teilen/", views.share, name="share"),
    path(
        "intern/faelle/<int:case_id>/freigaben/<int:share_id>/zuruecknehmen/",
        views.share_revoke,
        name="share_revoke",
    ),
    path(
        "intern/faelle/<int:case_id>/beteiligungen/<int:organisation_id>/beenden/",
        views.participation_end,
        name="participation_end",
    ),
    path("intern/faelle/<int:case_id>/risiko/<slug:instrument_id>/", views.risk_assess, name="risk"),
    path("intern/faelle/<int:case_id>/verlauf/neu/", views.chronology_add, name="chronology_add"),
    path("intern/faelle/<int:case_id>/notizen/neu/", views.note_add, name="note_add"),
    path("intern/faelle/<int:case_id>/vorschlagen/", views.propose, name="propose"),
    path("intern/faelle/<int:case_id>/fristen/neu/", views.deadline_add, name="deadline_add"),
    path(
        "intern/faelle/<int:case_id>/fristen/<int:deadline_id>/erledigt/",
        views.deadline_done,
        name="deadline_done",
    ),
    path(
        "intern/faelle/<int:case_id>/fristen/<int:deadline_id>/rueckkehrverbot/",
        views.return_ban_update,
        name="return_ban_update",
    ),
    path("intern/faelle/<int:case_id>/abschliessen/", views.close, name="close"),
    path(
        "intern/faelle/<int:case_id>/fallverantwortung/",
        views.transfer_lead,
        name="transfer_lead",
    ),
    path("intern/faelle/<int:case_id>/vermitteln/", views.referral_create, name="referral_create"),
    path("intern/faelle/<int:case_id>/auskunft.json", views.access_report_json, name="access_report_json"),
    path("intern/faelle/<int:case_id>/auskunft.pdf", views.access_report_pdf, name="access_report_pdf"),
    path("intern/faelle/<int:case_id>/loeschsperre/", views.legal_hold, name="legal_hold"),
    path("intern/vermittlungen/", views.referral_list, name="referral_list"),
    path("intern/vermittlungen/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path(
        "intern/vermittlungen/<int:referral_id>/ablehnen/",
        views.proposal_decline,
        name="proposal_decline",
    ),
    path("intern/fallkonferenzen/", views.conference_list, name="conference_list"),
    path("intern/fallkonferenzen/neu/", views.conference_create, name="conference_create"),
    path("intern/fallkonferenzen/<int:conference_id>/", views.conference_detail, name="conference_detail"),
    path(
        "intern/fallkonferenzen/<int:conference_id>/bearbeiten/",
        views.conference_edit,
        name="conference_edit",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/absagen/",
        views.conference_cancel,
        name="conference_cancel",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/fall-hinzufuegen/",
        views.conference_add_case,
        name="conference_add_case",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/vertraulichkeit/",
        views.conference_acknowledge,
        name="conference_acknowledge",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/tagesordnung/",
        views.conference_build_agenda,
        name="conference_build_agenda",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/anwesenheit/",
        views.conference_attendance,
        name="conference_attendance",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/durchgefuehrt/",
        views.conference_held,
        name="conference_held",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/punkte/<int:item_id>/",
        views.agenda_item,
        name="agenda_item",
    ),
    path(
        "intern/fallkonferenzen/<int:conference_id>/punkte/<int:item_id>/massnahmen/<int:action_id>/pruefen/",
        views.action_review,
        name="action_review",
    ),
    path("intern/fallkonferenzen/<int:conference_id>/protokoll.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("intern/massnahmen/<int:action_id>/", views.action_detail, name="action_detail"),
]
