"""``manage.py processing_record``: the record of processing activities (Art. 30 DSGVO).

Written from the personal-data registry (``core.personal_data``): for every module and model the
declared fields with category, purpose, recipients, retention and legal basis, followed by the
retention rules of every module and the technical and organisational measures. As Markdown
(default) or PDF (``--format pdf``, rendered with ``core.pdf``).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from schutznetz.core import personal_data
from schutznetz.core.hooks import app_modules

MEASURES = [
    "Verschlüsselung personenbezogener Felder in der Datenbank mit AES-256-GCM; Schlüssel getrennt "
    "von der Datenbank (Umgebungsvariablen), Schlüsselwechsel mit manage.py rotate_keys.",
    "Abgleich über Dienststellen hinweg nur über einen schlüsselgebundenen Blind-Index (HMAC-SHA256), "
    "nie über Klartext.",
    "Rollen- und organisationsbezogene Zugriffsrechte; Zugriffe auf Fälle und Spurensicherungs-Kits "
    "werden protokolliert, jede Änderung im hash-verketteten Audit-Protokoll (manage.py verify_audit).",
    "Zwei-Faktor-Anmeldung (TOTP, WebAuthn) für Fachkräfte; Sitzungsende nach 30 Minuten Inaktivität.",
    "Öffentliche Seiten ohne Cookies und ohne Inhalte Dritter; Schnellausstieg.",
    "Aufbewahrungsfristen je Modul, angewendet durch manage.py apply_retention (mit Probelauf).",
    "Verschlüsselte Sicherungen (manage.py backup, AES-256-GCM) mit geprobter Wiederherstellung.",
]


@dataclass
class ModelRecord:
    label: str
    verbose_name: str
    fields: list = field(default_factory=list)


@dataclass
class ModuleRecord:
    label: str
    verbose_name: str
    models: list = field(default_factory=list)


def _field_label(model_label, name):
    try:
        return str(apps.get_model(model_label)._meta.get_field(name).verbose_name)
    except LookupError:
        return name


def build_record():
    """The registry grouped by module and model, plus retention rules and measures."""
    by_model = defaultdict(list)
    for entry in sorted(personal_data.personal_fields(), key=lambda e: (e.model_label, e.field)):
        by_model[entry.model_label].append(entry)
    modules = {}
    for model_label, entries in by_model.items():
        app_label = model_label.split(".")[0]
        try:
            config = apps.get_app_config(app_label)
            model = apps.get_model(model_label)
            verbose = str(model._meta.verbose_name)
        except LookupError:
            continue
        if not config.name.startswith("schutznetz.") or config.name.startswith("schutznetz.testing"):
            continue
        module = modules.setdefault(app_label, ModuleRecord(app_label, str(config.verbose_name)))
        record = ModelRecord(model_label, verbose)
        for entry in entries:
            record.fields.append(
                {
                    "name": entry.field,
                    "label": _field_label(model_label, entry.field),
                    "category": str(personal_data.CATEGORY_LABELS[entry.category]),
                    "purpose": entry.purpose,
                    "recipients": entry.recipients or "nur die verantwortliche Stelle",
                    "retention": entry.retention,
                    "legal_basis": entry.legal_basis or "nicht angegeben",
                }
            )
        module.models.append(record)
    retention_rules = []
    for module in app_modules("retention"):
        for rule in module.rules():
            retention_rules.append({"name": rule.name, "description": rule.description})
    categories = sorted({f["category"] for m in modules.values() for r in m.models for f in r.fields})
    return {
        "controller": settings.SCHUTZNETZ_NETWORK_NAME,
        "created_at": timezone.localtime(),
        "modules": [modules[key] for key in sorted(modules)],
        "categories": categories,
        "retention_rules": retention_rules,
        "measures": MEASURES,
        "field_count": sum(len(r.fields) for m in modules.values() for r in m.models),
    }


def _cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def render_markdown(record):
    lines = [
        "# Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)",
        "",
        f"Verantwortlich: {record['controller']}  ",
        f"Erstellt: {record['created_at']:%d.%m.%Y %H:%M} aus dem Register personenbezogener Felder "
        f"({record['field_count']} Felder).",
        "",
        "## Kategorien personenbezogener Daten",
        "",
        *[f"- {category}" for category in record["categories"]],
        "",
    ]
    for module in record["modules"]:
        lines += [f"## Modul {module.verbose_name} (`{module.label}`)", ""]
        for model in module.models:
            lines += [
                f"### {model.verbose_name} (`{model.label}`)",
                "",
                "| Feld | Kategorie | Zweck | Empfänger | Aufbewahrung | Rechtsgrundlage |",
                "|---|---|---|---|---|---|",
            ]
            for f in model.fields:
                lines.append(
                    "| "
                    + " | ".join(
                        _cell(v)
                        for v in (
                            f"{f['label']} ({f['name']})",
                            f["category"],
                            f["purpose"],
                            f["recipients"],
                            f["retention"],
                            f["legal_basis"],
                        )
                    )
                    + " |"
                )
            lines.append("")
    lines += ["## Löschregeln (manage.py apply_retention)", ""]
    lines += [f"- `{rule['name']}`: {rule['description']}" for rule in record["retention_rules"]] or [
        "- keine"
    ]
    lines += ["", "## Technische und organisatorische Maßnahmen (Art. 32 DSGVO)", ""]
    lines += [f"- {measure}" for measure in record["measures"]]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Schreibt das Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO) als Markdown oder PDF."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["md", "pdf"], default="md")
        parser.add_argument("--output", "-o", help="Zieldatei (Standard: Markdown auf die Standardausgabe).")

    def handle(self, *args, format="md", output=None, **options):
        record = build_record()
        if format == "pdf":
            if not output:
                raise CommandError("Für --format pdf bitte --output DATEI angeben.")
            from schutznetz.core.pdf import render_pdf

            data = render_pdf("core/pdf/processing_record.html", {"record": record})
            with open(output, "wb") as handle:
                handle.write(data)
        else:
            text = render_markdown(record)
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                self.stdout.write(text, ending="")
        if output:
            self.stderr.write(
                f"Verzeichnis geschrieben: {output} ({record['field_count']} Felder, "
                f"{len(record['modules'])} Module)."
            )
