"""Fixtures for the project-level tests: the matrix world (demo users, foreign organisation, app objects)."""

import pytest
from django.db import transaction

from tests.access_matrix import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The matrix world (``access_matrix.build_world``), built once for this module inside a
    transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
