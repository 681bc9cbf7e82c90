from django.utils.translation import gettext_lazy as _

PUBLIC = []
STAFF = [("reports:dashboard", _("Statistik"), "reports.view_statistics")]
