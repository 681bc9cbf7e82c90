"""The towns and municipalities a case can name: one source, the directory's region.

The directory keeps the region's towns and municipalities (``directory.Municipality``): Kreis Soest's 14,
loaded from ``directory/data/kreis-soest-municipalities.csv`` (the shared reference data) by its migration
``0003_default_region``; another county replaces them with ``manage.py load_region FILE``. A case names one
of them, exactly as written there, or none. The statistics (``reports.measures.cases_by_municipality``)
count cases under the same names, so a case no longer falls out of the figures through a spelling such as
"soest " or "Lippstadt-Nord".

Cases created before the choice may still hold free text that names no town (migration
``0005_municipality_names`` corrected only unambiguous spellings): such a value is kept as it is while a
correction leaves it unchanged, and it can only be replaced by a town of the list or by "not stated".
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NOT_STATED_CHOICE = ("", _("– nicht angegeben –"))


def municipality_names():
    """The region's town and municipality names, sorted (one query)."""
    from schutznetz.directory.models import Municipality

    return sorted(Municipality.objects.values_list("name", flat=True))


def municipality_choices(current=""):
    """Choices for a select: "not stated", the region's towns and, for a case whose earlier free text names
    no town, that text (so a correction of another field does not silently clear it)."""
    names = municipality_names()
    choices = [NOT_STATED_CHOICE, *((name, name) for name in names)]
    if current and current not in names:
        label = _("%(value)s (frühere Angabe, keine Stadt/Gemeinde der Liste)") % {"value": current}
        choices.append((current, label))
    return choices


def clean_municipality(value, *, current=None):
    """``value`` without surrounding blanks if it is empty or names a town of the region; ``current`` (the
    case's present value) is accepted unchanged even if it names none. Otherwise a ValidationError on the
    field ``municipality``."""
    value = (value or "").strip()
    if not value or value == current or value in municipality_names():
        return value
    raise ValidationError(
        {
            "municipality": _(
                "„%(value)s“ ist keine Stadt oder Gemeinde des Kreises. Bitte wählen Sie eine aus der Liste "
                "oder „nicht angegeben“."
            )
            % {"value": value[:100]}
        }
    )
