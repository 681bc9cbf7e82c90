from django.utils.translation import gettext_lazy as _

PUBLIC = [("events:list", _("Veranstaltungen"))]
STAFF = [("events:staff_list", _("Veranstaltungen"), "events.manage_events")]
