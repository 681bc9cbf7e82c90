"""REST endpoints of this module; registered on the /api/v1/ router."""


def register(router):
    pass
