from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "schutznetz.cases"
    label = "cases"
