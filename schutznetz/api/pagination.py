"""Paging of every list on the /api/v1/ router, with an upper bound.

DRF's ``LimitOffsetPagination`` has no ``max_limit``: ``?limit=1000000`` answered with every row
at once (every case of an organisation, each written to the access log; every public offer, to
anyone). A larger ``limit`` now gives ``MAX_LIMIT`` rows and a ``next`` link.
"""

from rest_framework import pagination

MAX_LIMIT = 200


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT


def bound_pagination(router):
    """Give every viewset on ``router`` that pages by limit and offset without a bound this one.

    The router is the one place every module's viewsets pass through, so a new module's list
    cannot forget the bound. Viewsets with a bounded paginator of their own keep it.
    """
    for _prefix, viewset, _basename in router.registry:
        paginator = viewset.pagination_class
        if (
            paginator is not None
            and issubclass(paginator, pagination.LimitOffsetPagination)
            and paginator.max_limit is None
        ):
            viewset.pagination_class = (
                LimitOffsetPagination
                if paginator is pagination.LimitOffsetPagination
                else type(paginator.__name__, (paginator,), {"max_limit": MAX_LIMIT})
            )
