"""Small builders for test data: organisations and staff with roles.

Plain functions rather than factory_boy classes for these two, because the
service layer (audit entries, role rows) must be used to create them.
"""

import itertools

from schutznetz.accounts import services
from schutznetz.accounts.models import Organisation, OrganisationKind, Role

_counter = itertools.count(1)
PASSWORD = "korrekt-pferd-batterie-42"  # noqa: S105 - test password


def make_organisation(name=None, kind=OrganisationKind.BERATUNGSSTELLE, municipality="Soest"):
    number = next(_counter)
    name = name or f"Testorganisation {number}"
    existing = Organisation.objects.filter(name=name).first()
    if existing:
        return existing
    return services.save_organisation(
        None, name=name, slug=f"test-org-{number}", kind=kind, municipality=municipality
    )


def make_user(
    username=None, organisation=None, roles=(Role.FACHKRAFT,), password=PASSWORD, demo=True, **extra
):
    """A staff user. ``demo=True`` skips the MFA requirement (tests run in debug mode)."""
    username = username or f"person{next(_counter)}"
    organisation = organisation or make_organisation()
    return services.create_user(
        None,
        username=username,
        organisation=organisation,
        roles=list(roles),
        password=password,
        is_demo=demo,
        **extra,
    )


def post_login(client, username, password=PASSWORD):
    """Sign in through allauth's login form (what a person does), not ``force_login``."""
    from django.urls import reverse

    return client.post(reverse("account_login"), {"login": username, "password": password})


def login(client, user):
    client.force_login(user, backend="schutznetz.accounts.backends.SignInBackend")
    return client
