from django.utils.translation import gettext_lazy as _

STAFF = [
    ("evidence:kit_list", _("Spurensicherung"), "evidence.work_with_kits"),
    ("evidence:programme_list", _("Spurensicherungs-Programme"), "evidence.manage_programmes"),
    ("evidence:billing", _("Abrechnung Spurensicherung"), "evidence.view_billing"),
]
