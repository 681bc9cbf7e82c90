from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "schutznetz.evidence"
    label = "evidence"
