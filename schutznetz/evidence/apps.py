from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "schutznetz.evidence"
    label = "evidence"

    def ready(self):
        from schutznetz.evidence import checks  # noqa: F401 - registers the deployment checks
