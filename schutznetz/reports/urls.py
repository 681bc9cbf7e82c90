from django.urls import path

from schutznetz.reports import views

app_name = "reports"

urlpatterns = [
    path("intern/statistik/", views.dashboard, name="dashboard"),
    path("intern/statistik/jahresbericht/", views.annual_report, name="annual_report"),
    path("intern/statistik/jahresbericht/<uuid:job_id>/", views.job, name="job"),
    path("intern/statistik/jahresbericht/<uuid:job_id>/datei/", views.download, name="download"),
]
