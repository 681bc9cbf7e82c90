"""The personal-data registry: every model field with personal data, declared once.

Each app declares its fields in its ``models.py`` right after the model, e.g.::

    personal_data.declare(Person, "last_name", category=IDENTITY,
                          purpose="Zuordnung im Fall", retention="2 Jahre nach Abschluss",
                          recipients="beteiligte Partnerorganisationen")

Fields whose names look personal but are not (an organisation's name) are
declared with ``not_personal``. A test fails for any undeclared field that
looks personal, and ``processing_record`` writes the Art. 30 record from here.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

IDENTITY = "identity"
CONTACT = "contact"
HEALTH = "health"
SPECIAL = "special"  # special category under Art. 9 DSGVO
OTHER = "other"
NOT_PERSONAL = "not_personal"

CATEGORY_LABELS = {
    IDENTITY: _("Identitätsdaten"),
    CONTACT: _("Kontaktdaten"),
    HEALTH: _("Gesundheitsdaten"),
    SPECIAL: _("Besondere Kategorie (Art. 9 DSGVO)"),
    OTHER: _("Sonstige personenbezogene Daten"),
    NOT_PERSONAL: _("Nicht personenbezogen"),
}

# Field names that suggest personal data; the registry test checks them all.
LOOKS_PERSONAL = re.compile(r"(name|birth|address|street|phone|email|e_mail|note|alias|contact)", re.I)


@dataclass(frozen=True)
class PersonalField:
    model_label: str
    field: str
    category: str
    purpose: str
    retention: str
    recipients: str
    legal_basis: str


REGISTRY: dict[tuple[str, str], PersonalField] = {}


def declare(model, field, *, category, purpose, retention, recipients="", legal_basis=""):
    if category not in CATEGORY_LABELS:
        raise ValueError(f"Unbekannte Kategorie {category!r}")
    model._meta.get_field(field)  # fails loudly on a typo
    key = (model._meta.label, field)
    REGISTRY[key] = PersonalField(
        model._meta.label, field, category, str(purpose), str(retention), str(recipients), str(legal_basis)
    )


def declare_many(model, fields, **kwargs):
    for field in fields:
        declare(model, field, **kwargs)


def not_personal(model, *fields, reason):
    for field in fields:
        declare(model, field, category=NOT_PERSONAL, purpose=reason, retention="-")


def personal_fields():
    return [entry for entry in REGISTRY.values() if entry.category != NOT_PERSONAL]


def undeclared_fields(models):
    """Fields of ``models`` whose names look personal but are not declared."""
    missing = []
    for model in models:
        for field in model._meta.concrete_fields:
            if field.auto_created or field.is_relation:
                continue
            if LOOKS_PERSONAL.search(field.name) and (model._meta.label, field.name) not in REGISTRY:
                missing.append(f"{model._meta.label}.{field.name}")
    return missing
