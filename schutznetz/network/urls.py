from django.urls import path

from schutznetz.network import views

app_name = "network"

urlpatterns = [
    # Public
    path("netzwerk/", views.home, name="home"),
    path("netzwerk/vereinbarung/", views.agreement, name="agreement"),
    path("netzwerk/vereinbarung/kooperationsvereinbarung.pdf", views.agreement_pdf, name="agreement_pdf"),
    path("netzwerk/material/<slug:slug>/", views.material_download, name="material_download"),
    path(
        "netzwerk/material/<slug:slug>/v<int:number>/",
        views.material_download,
        name="material_version_download",
    ),
    path("aktuelles/", views.news_list, name="news_list"),
    path("aktuelles/rss/", views.rss_feed, name="news_rss"),
    path("aktuelles/atom/", views.atom_feed, name="news_atom"),
    path("aktuelles/foto/<int:photo_id>/<int:width>.jpg", views.photo, name="photo"),
    path("aktuelles/<slug:slug>/", views.news_detail, name="news_detail"),
    # Staff
    path("intern/netzwerk/", views.staff_home, name="staff_home"),
    path("intern/netzwerk/partner/", views.partner_list, name="partner_list"),
    path("intern/netzwerk/partner/<slug:slug>/", views.partner_edit, name="partner_edit"),
    path("intern/netzwerk/arbeitskreise/neu/", views.working_group_edit, name="working_group_new"),
    path("intern/netzwerk/arbeitskreise/<slug:slug>/", views.working_group_edit, name="working_group_edit"),
    path("intern/netzwerk/vereinbarung/", views.version_list, name="version_list"),
    path("intern/netzwerk/vereinbarung/neu/", views.version_edit, name="version_new"),
    path("intern/netzwerk/vereinbarung/vergleich/", views.version_diff, name="version_diff"),
    path("intern/netzwerk/vereinbarung/beitritt/", views.accession_new, name="accession_new"),
    path(
        "intern/netzwerk/vereinbarung/beitritt/<int:accession_id>/austritt/",
        views.accession_withdraw,
        name="accession_withdraw",
    ),
    path("intern/netzwerk/vereinbarung/<int:number>/", views.version_detail, name="version_detail"),
    path("intern/netzwerk/vereinbarung/<int:number>/bearbeiten/", views.version_edit, name="version_edit"),
    path(
        "intern/netzwerk/vereinbarung/<int:number>/veroeffentlichen/",
        views.version_publish,
        name="version_publish",
    ),
    path(
        "intern/netzwerk/vereinbarung/<int:number>/bestaetigung/",
        views.version_confirm,
        name="version_confirm",
    ),
    path("intern/netzwerk/sitzungen/", views.meeting_list, name="meeting_list"),
    path("intern/netzwerk/sitzungen/neu/", views.meeting_edit, name="meeting_new"),
    path("intern/netzwerk/sitzungen/sitzungen.ics", views.meetings_ics, name="meetings_ics"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/bearbeiten/", views.meeting_edit, name="meeting_edit"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/top/", views.agenda_add, name="agenda_add"),
    path(
        "intern/netzwerk/sitzungen/<int:meeting_id>/top/<int:item_id>/entfernen/",
        views.agenda_remove,
        name="agenda_remove",
    ),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/einladen/", views.meeting_invite, name="meeting_invite"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/absagen/", views.meeting_cancel, name="meeting_cancel"),
    path(
        "intern/netzwerk/sitzungen/<int:meeting_id>/teilnahme/", views.attendance_save, name="attendance_save"
    ),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/protokoll/", views.minutes, name="minutes"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/protokoll.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("intern/netzwerk/sitzungen/<int:meeting_id>/sitzung.ics", views.meeting_ics, name="meeting_ics"),
    path("intern/netzwerk/aufgaben/<int:task_id>/status/", views.task_status, name="task_status"),
    path("intern/netzwerk/aktuelles/", views.news_admin, name="news_admin"),
    path("intern/netzwerk/aktuelles/neu/", views.news_edit, name="news_new"),
    path("intern/netzwerk/aktuelles/<int:news_id>/", views.news_edit, name="news_edit"),
    path("intern/netzwerk/aktuelles/<int:news_id>/foto/", views.photo_add, name="photo_add"),
    path(
        "intern/netzwerk/aktuelles/<int:news_id>/veroeffentlichen/", views.news_publish, name="news_publish"
    ),
    path("intern/netzwerk/fotos/<int:photo_id>/", views.photo_edit, name="photo_edit"),
    path("intern/netzwerk/material/", views.material_list, name="material_list"),
    path("intern/netzwerk/material/neu/", views.material_edit, name="material_new"),
    path("intern/netzwerk/material/<slug:slug>/", views.material_edit, name="material_edit"),
]
