from django.utils.translation import gettext_lazy as _

PUBLIC = [("network:home", _("Netzwerk")), ("network:news_list", _("Aktuelles"))]
STAFF = [("network:staff_home", _("Netzwerk"), "network.view_internal")]
