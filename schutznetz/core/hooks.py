"""Optional per-app modules the core collects from (dashboard, navigation, demo, retention).

Each schutznetz app may provide e.g. ``navigation.py``; the core imports
whichever exist, in INSTALLED_APPS order, so no central file needs editing
when a module is added.
"""

import importlib
from functools import cache

from django.apps import apps


@cache
def app_modules(name):
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("schutznetz."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return tuple(modules)
