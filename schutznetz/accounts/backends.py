"""Signing in with username or e-mail (allauth), without Django's model permissions.

Every permission in schutznetz is a rule in an app's ``rules.py`` (django-rules), and nobody
can grant Django model permissions (the account admin does not offer them). Django's
``ModelBackend`` would still be asked whenever a rule says no, and loads the user's and
groups' permissions for that: two queries on every staff page. This backend authenticates as
allauth's does and answers every permission question with "no", so the rules decide alone.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.db.models import OuterRef, Subquery

from schutznetz.core.aggregates import CommaList, split_comma_list


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

    def get_user(self, user_id):
        """The signed-in user with their roles, in one query.

        Every staff request asks for the roles (second-factor rule, navigation, rules); loading
        them with the user saves a query on each. They are still read fresh per request, so a
        role taken away counts from the next page on.
        """
        from schutznetz.accounts.models import User, UserRole

        roles = Subquery(
            UserRole.objects.filter(user=OuterRef("pk"))
            .order_by()
            .values("user")
            .annotate(codes=CommaList("role"))
            .values("codes")
        )
        user = User._default_manager.annotate(role_codes_=roles).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_cache = split_comma_list(user.role_codes_)
        return user
