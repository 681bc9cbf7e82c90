"""Signing in with username or e-mail (allauth), without Django's model permissions.

Every permission in schutznetz is a rule in an app's ``rules.py`` (django-rules), and nobody
can grant Django model permissions (the account admin does not offer them). Django's
``ModelBackend`` would still be asked whenever a rule says no, and loads the user's and
groups' permissions for that: two queries on every staff page. This backend authenticates as
allauth's does and answers every permission question with "no", so the rules decide alone.
"""

import contextvars
import functools
import threading
from collections import OrderedDict

from allauth.account.auth_backends import AuthenticationBackend
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import OuterRef, Subquery

from schutznetz.core.aggregates import CommaList, split_comma_list
from schutznetz.core.prepared import PreparedQuery


class SignInBackend(AuthenticationBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False

    def authenticate(self, request, **credentials):
        """Demo logins sign in with their password only in development (``SCHUTZNETZ_DEBUG=1``).

        Their password is printed in the README. Were they allowed to sign in on a production
        server (after ``load_demo`` ran there), whoever came first would set up the second factor
        and keep the account. Refused like a wrong password, so the answer tells nothing more.
        """
        from schutznetz.accounts.middleware import demo_logins_without_mfa

        user = super().authenticate(request, **credentials)
        if user is not None and user.is_demo and not demo_logins_without_mfa():
            return None
        return user

    def user_can_authenticate(self, user):
        """Active users of an active organisation (or of none): switching an organisation off in
        the admin ends its staff's sessions and API access from their next request on."""
        return super().user_can_authenticate(user) and organisation_is_active(user)

    def get_user(self, user_id):
        """The signed-in user with their roles, in one prepared query, or none (``_read_user``).

        Every staff request asks for the roles (second-factor rule, navigation, rules); loading
        them with the user saves a query on each. They are as fresh as a query's on every request,
        so a role taken away, or a user or organisation switched off, counts from the next page on.
        """
        from schutznetz.accounts.models import User

        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = _read_user(pk)
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_cache = split_comma_list(user.role_codes_)
        return user


# The version of the database (``core.data_version``) that the request's session was read with, while
# ``accounts.middleware.AuthenticationMiddleware`` asks for the signed-in user; else None.
session_data_version = contextvars.ContextVar("schutznetz_session_data_version", default=None)

# Each user's row as this worker last read it, with the version read before it: pk → (version, row).
_read_rows = OrderedDict()
_read_rows_lock = threading.Lock()
_READ_ROWS_KEPT = 2000


def _read_user(pk):
    """The user with their roles and organisation, built anew from the row this worker read last
    if the database has not changed since; otherwise read (and kept) again.

    Unchanged means: the version read with this request's session equals the version read before
    that row. Every table the row comes from (users, roles, organisations) carries the change
    triggers, so any change to it, committed by any process, moves the version. A signed-in request
    then needs no query for its user. Without a version (outside a request's sign-in check) the
    user is always read.
    """
    version = session_data_version.get()
    if version is not None and connections[_user_with_roles().using].in_atomic_block:
        # PostgreSQL notes one change per transaction: inside an open one, its own later writes
        # would not move the version.
        version = None
    if version is not None:
        with _read_rows_lock:
            known = _read_rows.get(pk)
        if known is not None and known[0] == version:
            return _user_with_roles().from_row(known[1])
    row = _user_with_roles().first_row(pk=pk)
    if row is None:
        return None
    if version is not None:
        with _read_rows_lock:
            _read_rows[pk] = (version, row)
            _read_rows.move_to_end(pk)
            while len(_read_rows) > _READ_ROWS_KEPT:
                _read_rows.popitem(last=False)
    return _user_with_roles().from_row(row)


@functools.cache
def _user_with_roles():
    """Compiling this query cost ten times running it, on every request (core/prepared.py)."""
    from schutznetz.accounts.models import User, UserRole

    def build(pk):
        roles = Subquery(
            UserRole.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(codes=CommaList("role"))
            .values("codes")
        )
        return User._default_manager.select_related("organisation").annotate(role_codes_=roles).filter(pk=pk)

    return PreparedQuery(build, pk=-2_000_000_017)


def organisation_is_active(user):
    organisation = getattr(user, "organisation", None)
    return organisation is None or organisation.is_active
