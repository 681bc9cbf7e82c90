"""The Art. 30 record is written from the personal-data registry, as Markdown and PDF."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from schutznetz.accounts.models import User
from schutznetz.core import personal_data
from schutznetz.core.management.commands.processing_record import build_record, render_markdown


def _declared_app_fields():
    return [e for e in personal_data.personal_fields() if not e.model_label.startswith("testapp.")]


def test_markdown_lists_every_declared_field_with_purpose_retention_and_recipients():
    out = io.StringIO()
    call_command("processing_record", stdout=out)
    text = out.getvalue()
    assert text.startswith("# Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)")
    entries = _declared_app_fields()
    assert entries, "das Register ist leer"
    for entry in entries:
        assert f"`{entry.model_label}`" in text
        assert f"({entry.field})" in text
        assert " ".join(entry.purpose.split()).replace("|", "\\|") in text
        assert " ".join(entry.retention.split()).replace("|", "\\|") in text
    # Test-only models are not part of the record.
    assert "testapp.Secret" not in text
    assert "## Löschregeln" in text and "core.access_log" in text
    assert "Technische und organisatorische Maßnahmen" in text


def test_markdown_groups_by_module_and_escapes_table_cells(monkeypatch):
    monkeypatch.setitem(
        personal_data.REGISTRY,
        ("accounts.User", "first_name"),
        personal_data.PersonalField(
            "accounts.User", "first_name", personal_data.IDENTITY, "Zweck | mit\nStrich", "1 Jahr", "", ""
        ),
    )
    record = build_record()
    labels = [m.label for m in record["modules"]]
    assert labels == sorted(labels) and "accounts" in labels
    text = render_markdown(record)
    line = next(line for line in text.splitlines() if "(first_name)" in line)
    assert "Zweck \\| mit Strich" in line
    assert line.count(" | ") == 5  # six cells: the pipe in the purpose does not split the row
    assert "nicht angegeben" in line  # missing legal basis is named, not hidden


def test_markdown_file_and_pdf(tmp_path):
    md = tmp_path / "vvt.md"
    call_command("processing_record", "--output", str(md), stderr=io.StringIO())
    assert "Art. 30 DSGVO" in md.read_text(encoding="utf-8")
    pdf = tmp_path / "vvt.pdf"
    call_command("processing_record", "--format", "pdf", "--output", str(pdf), stderr=io.StringIO())
    reader = PdfReader(str(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Verarbeitungstätigkeiten" in text
    entry = _declared_app_fields()[0]
    assert entry.model_label in text.replace("\n", "")
    with pytest.raises(CommandError, match="--output"):
        call_command("processing_record", "--format", "pdf")


def test_user_model_is_declared():
    # The accounts app declares its personal fields; the record is not empty in practice.
    assert any(e.model_label == User._meta.label for e in personal_data.personal_fields())
