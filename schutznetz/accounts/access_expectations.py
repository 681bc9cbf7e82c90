"""Who may reach the account pages (read by tests/test_authorization_matrix.py; format: tests/access_matrix.py).

Koordination manages the users of every partner; an organisation's admin only its own; nobody
else sees the user list.
"""

from schutznetz.accounts.models import Role


def setup(world):
    from schutznetz.accounts import services

    world.objects["invitation"] = services.invite_user(
        None, world.own_org, "neu@example.org", [Role.FACHKRAFT]
    )
    # A user of the coordination's own organisation (demo-datenschutz) and one of a foreign one.
    world.objects["own_user"] = world.users["datenschutz"]
    world.objects["foreign_user"] = world.users["other_org"]


EXPECTATIONS = {
    "accounts:users": {
        "allow": {"koordination"},
        "foreign_allow": {"koordination"},
        "secret": lambda w: w.users["other_org"].username,
    },
    "accounts:deactivate": {
        "allow": {"koordination"},
        "kwargs": lambda w: {"user_id": w.objects["own_user"].pk},
        "foreign_kwargs": lambda w: {"user_id": w.objects["foreign_user"].pk},
        "foreign_allow": {"koordination"},
        "post_only": True,
    },
    # How long the own session has left (and staying signed in): every signed-in user, about themselves.
    "accounts:session": {"allow": "staff"},
    "accounts:accept_invitation": {
        "allow": "public",
        "kwargs": lambda w: {"token": w.objects["invitation"].token},
    },
}
