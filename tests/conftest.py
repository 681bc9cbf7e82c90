"""Fixtures for the project-level tests: the matrix world (demo users, foreign organisation, app objects)."""

import pytest
from django.db import transaction

from schutznetz.accounts import demo as accounts_demo
from schutznetz.accounts.models import OrganisationKind, Role, User
from schutznetz.testing.factories import make_organisation, make_user
from tests.access_matrix import DEMO_USERNAMES, World, load_tables


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Demo users of every role, a user of an unrelated organisation, and each table's objects.

    Built once for this module inside a transaction that is rolled back at the end.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            accounts_demo.load(_Quiet())
            w = World()
            for actor, username in DEMO_USERNAMES.items():
                w.users[actor] = User.objects.get(username=username)
            other = make_organisation("Fremde Beratungsstelle Matrix", kind=OrganisationKind.BERATUNGSSTELLE)
            w.users["other_org"] = make_user("matrix-fremd", organisation=other, roles=[Role.FACHKRAFT])
            for module, _, _ in load_tables():
                if hasattr(module, "setup"):
                    module.setup(w)
            yield w
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


class _Quiet:
    def write(self, *args, **kwargs):
        pass
