from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "schutznetz.api"
    label = "api"
