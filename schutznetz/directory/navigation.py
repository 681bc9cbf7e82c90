from django.utils.translation import gettext_lazy as _

PUBLIC = [("directory:finder", _("Hilfe finden")), ("directory:easy_language", _("Leichte Sprache"))]
STAFF = [
    ("directory:staff_offers", _("Angebote"), "directory.edit_offers"),
    ("directory:shelter_overview", _("Frauenhäuser"), "directory.view_shelter_overview"),
    ("directory:gaps", _("Lücken"), "directory.view_gaps"),
]
