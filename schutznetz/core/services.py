"""Shared helpers for services: one transaction and one audit entry per write."""

import functools

from django.db import transaction

from schutznetz.core import audit


def service(func):
    """Run a service function in one transaction (nested calls join the outer one)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def changed(instance, data):
    """Set ``data`` on ``instance`` and return the names of the fields that changed."""
    names = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            names.append(name)
    return names


record_audit = audit.record
