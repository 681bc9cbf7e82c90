"""Signing in with username or e-mail (allauth), without Django's model permissions.

Every permission in schutznetz is a rule in an app's ``rules.py`` (django-rules), and nobody
can grant Django model permissions (the account admin does not offer them). Django's
``ModelBackend`` would still be asked whenever a rule says no, and loads the user's and
groups' permissions for that: two queries on every staff page. This backend authenticates as
allauth's does and answers every permission question with "no", so the rules decide alone.
"""

from allauth.account.auth_backends import AuthenticationBackend


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
