from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "schutznetz.network"
    label = "network"
