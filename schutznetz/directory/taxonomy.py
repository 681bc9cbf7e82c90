"""Our two taxonomies, published in HSDS as ``schutznetz-art`` and ``schutznetz-zielgruppe``.

A term's ``code`` is the slug of its German name; the help finder's GET
parameters, the CSV template and the HSDS import all use these codes.
Term and taxonomy ids in HSDS are stable UUIDv5 values derived from the code.
"""

import uuid

from django.utils.translation import gettext_lazy as _

KIND_TAXONOMY = "schutznetz-art"
TARGET_TAXONOMY = "schutznetz-zielgruppe"
NAMESPACE = uuid.UUID("6f1c7a52-4f0e-4a8e-9a43-5c1d2b7e8a10")

# code → label (German source, translated in templates)
KINDS = {
    "frauenhaus": _("Frauenhaus"),
    "frauenberatung": _("Frauenberatung"),
    "fachberatung-sexualisierte-gewalt": _("Fachberatung sexualisierte Gewalt"),
    "interventionsstelle-proaktive-beratung": _("Interventionsstelle/proaktive Beratung"),
    "kinderschutz": _("Kinderschutz"),
    "jugendamt": _("Jugendamt"),
    "polizei": _("Polizei"),
    "opferhilfe": _("Opferhilfe"),
    "taeterarbeit": _("Täterarbeit"),
    "gewaltschutzambulanz-spurensicherung": _("Gewaltschutzambulanz/Spurensicherung"),
    "rechtsberatung": _("Rechtsberatung"),
    "therapie": _("Therapie"),
    "hotline": _("Hotline"),
}
TARGET_GROUPS = {
    "frauen": _("Frauen"),
    "maedchen": _("Mädchen"),
    "jungen": _("Jungen"),
    "kinder-und-jugendliche": _("Kinder und Jugendliche"),
    "maenner": _("Männer"),
    "lsbtiq": _("LSBTIQ*"),
    "menschen-mit-behinderung": _("Menschen mit Behinderung"),
    "gefluechtete-migrantinnen": _("Geflüchtete/Migrantinnen"),
    "aeltere": _("Ältere"),
}
# ISO 639-1 codes offered in the finder's language filter.
LANGUAGES = {
    "de": _("Deutsch"),
    "en": _("Englisch"),
    "tr": _("Türkisch"),
    "ar": _("Arabisch"),
    "ru": _("Russisch"),
    "uk": _("Ukrainisch"),
    "pl": _("Polnisch"),
    "fa": _("Persisch"),
    "ku": _("Kurdisch"),
    "ro": _("Rumänisch"),
    "fr": _("Französisch"),
    "es": _("Spanisch"),
    "it": _("Italienisch"),
    "bg": _("Bulgarisch"),
    "sq": _("Albanisch"),
    "ti": _("Tigrinya"),
    "gsg": _("Deutsche Gebärdensprache"),
}
# Kinds whose address is protected by default (shelters).
PROTECTED_KINDS = {"frauenhaus"}

TAXONOMIES = {KIND_TAXONOMY: KINDS, TARGET_TAXONOMY: TARGET_GROUPS}
TAXONOMY_DESCRIPTIONS = {
    KIND_TAXONOMY: "Arten von Hilfe (schutznetz)",
    TARGET_TAXONOMY: "Zielgruppen (schutznetz)",
}


def taxonomy_id(taxonomy):
    return str(uuid.uuid5(NAMESPACE, taxonomy))


def term_id(taxonomy, code):
    return str(uuid.uuid5(NAMESPACE, f"{taxonomy}/{code}"))


def join_codes(codes):
    """Codes stored as ``|a|b|`` so that ``__contains="|a|"`` filters exactly on both databases."""
    codes = [c for c in dict.fromkeys(codes) if c]
    return "|" + "|".join(codes) + "|" if codes else ""


def split_codes(value):
    return [c for c in (value or "").split("|") if c]
