from django.urls import path

from schutznetz.events import views

app_name = "events"

urlpatterns = [
    path("veranstaltungen/", views.event_list, name="list"),
    path("veranstaltungen/kalender.ics", views.calendar_feed, name="calendar"),
    path("veranstaltungen/anmeldung/<str:token>/", views.manage, name="manage"),
    path("veranstaltungen/anmeldung/<str:token>/bestaetigen/", views.confirm, name="confirm"),
    path("veranstaltungen/anmeldung/<str:token>/stornieren/", views.cancel, name="cancel"),
    path("veranstaltungen/anmeldung/<str:token>/ticket.pdf", views.ticket_pdf, name="ticket"),
    path("veranstaltungen/<slug:slug>/", views.event_detail, name="detail"),
    path("veranstaltungen/<slug:slug>/angemeldet/<str:receipt>/", views.registered, name="registered"),
    path("veranstaltungen/<slug:slug>/kalender.ics", views.event_ics, name="event_ics"),
    path("intern/veranstaltungen/", views.staff_list, name="staff_list"),
    path("intern/veranstaltungen/<int:event_id>/", views.staff_event, name="staff_event"),
    path("intern/veranstaltungen/<int:event_id>/export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path(
        "intern/veranstaltungen/<int:event_id>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"
    ),
    path("intern/veranstaltungen/<int:event_id>/nachricht/", views.mail_participants, name="mail"),
    path("intern/veranstaltungen/<int:event_id>/einlass/", views.check_in, name="check_in"),
    path("intern/veranstaltungen/<int:event_id>/namensschilder.pdf", views.badges_pdf, name="badges"),
    path(
        "intern/veranstaltungen/<int:event_id>/bescheinigungen.pdf",
        views.certificates_pdf,
        name="certificates",
    ),
    path(
        "intern/veranstaltungen/<int:event_id>/teilnehmende/<int:registration_id>/bescheinigung.pdf",
        views.certificates_pdf,
        name="certificate",
    ),
    path(
        "intern/veranstaltungen/<int:event_id>/teilnehmende/<int:registration_id>/stornieren/",
        views.staff_cancel,
        name="staff_cancel",
    ),
]
