from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "schutznetz.directory"
    label = "directory"
    verbose_name = "Hilfeangebote"
