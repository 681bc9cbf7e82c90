"""A case's municipality becomes a choice of the region's towns: spell existing values as the list does.

Until now the municipality was free text, while the statistics count cases under the exact names of the
directory's towns and municipalities (``directory.Municipality``, Kreis Soest's 14 by default). A value
that names a town only in another spelling therefore fell out of the figures. This migration rewrites such
values to the exact name when the match is unambiguous: the same after trimming and collapsing blanks,
ignoring upper/lower case, hyphens, underscores, brackets and dots, and with "ae/oe/ue/ss" for "ä/ö/ü/ß"
(" soest ", "SOEST", "bad-sassendorf", "Moehnesee", "wickede ruhr").

Anything else stays exactly as it is: "Lippstadt-Nord", "Wickede", "Hamm" or a typo may mean a district,
a neighbouring town outside the Kreis or something else entirely, and a wrong town in the statistics or in
a case file is worse than a visible "außerhalb des Kreises". We must not guess; those who manage the case
can correct it (with a reason) on the correction page, which offers the old text alongside the list.

No audit entries: the stored meaning of a value does not change, only its spelling, and the municipality
is not personal data. Reversing does nothing (the earlier spellings are not worth restoring).
"""

import re
import unicodedata

from django.db import migrations

_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _key(text):
    """A comparison key: lower case, umlauts spelt out, every run of non-letters a single blank."""
    text = unicodedata.normalize("NFC", text or "").casefold().translate(_TRANSLITERATE)
    return " ".join(re.split(r"[^0-9a-z]+", text)).strip()


def canonical_municipality(value, names):
    """The name in ``names`` that ``value`` spells differently, or ``value`` unchanged if there is none
    or more than one (ambiguous)."""
    key = _key(value)
    if not key:
        return value
    matches = {name for name in names if _key(name) == key}
    return matches.pop() if len(matches) == 1 else value


def spell_as_the_list(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Municipality = apps.get_model("directory", "Municipality")
    names = list(Municipality.objects.values_list("name", flat=True))
    if not names:
        return
    values = Case.objects.exclude(municipality="").exclude(municipality__in=names)
    for value in values.values_list("municipality", flat=True).distinct().order_by():
        name = canonical_municipality(value, names)
        if name != value:
            Case.objects.filter(municipality=value).update(municipality=name)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_conference_cancel"),
        ("directory", "0003_default_region"),
    ]

    operations = [migrations.RunPython(spell_as_the_list, migrations.RunPython.noop)]
