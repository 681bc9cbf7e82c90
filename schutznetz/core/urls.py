from django.urls import path

from schutznetz.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("hinweise/", views.safe_browsing, name="safe_browsing"),
    path("intern/", views.staff_home, name="staff_home"),
]
