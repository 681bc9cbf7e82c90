from django.urls import path

from schutznetz.evidence import views

app_name = "evidence"

urlpatterns = [
    # The address printed on the person's card and sent in her reminder: neutral, because the card
    # and the mailbox may be seen by the person she is hiding from (tests/test_status_page_traces.py).
    path("stand/", views.status_page, name="status"),
    # Cards handed out before carry this address; it keeps working.
    path("spurensicherung/status/", views.status_page, name="status_legacy"),
    path("intern/spurensicherung/", views.kit_list, name="kit_list"),
    path("intern/spurensicherung/neu/", views.kit_register, name="kit_register"),
    path("intern/spurensicherung/fristen/", views.expiring, name="expiring"),
    path("intern/spurensicherung/abrechnung/", views.billing, name="billing"),
    path("intern/spurensicherung/programme/", views.programme_list, name="programme_list"),
    path("intern/spurensicherung/programme/neu/", views.programme_edit, name="programme_create"),
    path("intern/spurensicherung/programme/<int:programme_id>/", views.programme_edit, name="programme_edit"),
    path("intern/spurensicherung/sets/<int:kit_id>/", views.kit_detail, name="kit_detail"),
    path("intern/spurensicherung/sets/<int:kit_id>/karte/", views.kit_card, name="kit_card"),
    path("intern/spurensicherung/sets/<int:kit_id>/etiketten/", views.kit_labels, name="kit_labels"),
    path("intern/spurensicherung/sets/<int:kit_id>/uebergabe/", views.kit_hand_over, name="kit_hand_over"),
    path(
        "intern/spurensicherung/sets/<int:kit_id>/uebergabe-zuruecknehmen/",
        views.kit_withdraw_hand_over,
        name="kit_withdraw_hand_over",
    ),
    path("intern/spurensicherung/sets/<int:kit_id>/eingang/", views.kit_receive, name="kit_receive"),
    path("intern/spurensicherung/sets/<int:kit_id>/lagerung/", views.kit_storage, name="kit_storage"),
    path("intern/spurensicherung/sets/<int:kit_id>/frist/", views.kit_extend, name="kit_extend"),
    path("intern/spurensicherung/sets/<int:kit_id>/vernichtung/", views.kit_destroy, name="kit_destroy"),
    path("intern/spurensicherung/sets/<int:kit_id>/entbindung/", views.kit_waiver, name="kit_waiver"),
    path("intern/spurensicherung/sets/<int:kit_id>/herausgabe/", views.kit_release, name="kit_release"),
    path(
        "intern/spurensicherung/sets/<int:kit_id>/anruf-erledigt/", views.kit_call_done, name="kit_call_done"
    ),
]
