from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "schutznetz.accounts"
    label = "accounts"
    verbose_name = _("Organisationen und Zugänge")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from schutznetz.accounts.middleware import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="schutznetz-stamp-sign-in")
