from django.urls import path

from schutznetz.accounts import views

app_name = "accounts"

urlpatterns = [
    path("benutzer/", views.user_list, name="users"),
    path("benutzer/<int:user_id>/deaktivieren/", views.deactivate, name="deactivate"),
    path("sitzung/", views.session_status, name="session"),
    path("einladung/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
