from django.urls import path

from schutznetz.directory import views

app_name = "directory"

urlpatterns = [
    path("hilfe/", views.finder, name="finder"),
    path("hilfe/leichte-sprache/", views.easy_language, name="easy_language"),
    path("hilfe/angebot/<uuid:hsds_id>/", views.offer_detail, name="offer_detail"),
    path("intern/angebote/", views.staff_offers, name="staff_offers"),
    path("intern/angebote/neu/", views.staff_offer_create, name="staff_offer_create"),
    path("intern/angebote/<int:pk>/", views.staff_offer_edit, name="staff_offer_edit"),
    path("intern/angebote/<int:pk>/bestaetigen/", views.staff_offer_verify, name="staff_offer_verify"),
    path("intern/angebote/pruefung/", views.review_list, name="review_list"),
    path("intern/angebote/pruefung/<int:pk>/", views.review_detail, name="review_detail"),
    path("intern/frauenhaeuser/", views.shelter_overview, name="shelter_overview"),
    path("intern/frauenhaeuser/<int:pk>/meldung/", views.shelter_report, name="shelter_report"),
    path("intern/luecken/", views.gap_analysis, name="gaps"),
]
