from django.utils.translation import gettext_lazy as _

STAFF = [("accounts:users", _("Benutzer"), "accounts.manage_own_users")]
