from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "schutznetz.events"
    label = "events"
