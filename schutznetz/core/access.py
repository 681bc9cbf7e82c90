"""Reaching protected objects only through the user's scope.

Every app's ``queries.py`` builds on these: a query starts from a queryset
already limited to what the user may see, and fetching one object outside it
answers 404, exactly as if it did not exist, so nothing leaks about it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from schutznetz.core.access_log import log_access


def get_scoped_or_404(scoped_queryset, log_user=None, purpose="view", **lookup):
    """One object from an already user-scoped queryset, logged when ``log_user`` is given."""
    try:
        obj = scoped_queryset.get(**lookup)
    except scoped_queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if log_user is not None:
        log_access(log_user, obj, purpose)
    return obj


def require_perm(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise PermissionDenied
