from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "schutznetz.reports"
    label = "reports"
