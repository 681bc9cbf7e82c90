from django.utils.translation import gettext_lazy as _

STAFF = [
    ("cases:list", _("Fälle"), "cases.view_case_list"),
    ("cases:counts", _("Fallzahlen"), "cases.view_counts"),
    ("cases:conference_list", _("Fallkonferenzen"), "cases.view_case_list"),
    ("cases:referral_list", _("Vermittlungen"), "cases.view_referrals"),
]
