"""Bad input everywhere: hostile, malformed and oversized input gets a clear error and changes nothing;
what is accepted is rendered escaped.

Written against the public functions and forms of the modules (directory import, help finder,
event registration form), so internal changes do not break these tests.
"""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schutznetz.core.models import AuditEntry

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '=HYPERLINK("http://evil.example","x")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd",
    "\x00\x01\x07\x1b[31m",
    "\u202egnp.exe",
    "\ud800",  # lone surrogate: invalid Unicode
    "A" * 20_000,
    "'; DROP TABLE directory_offer; --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE), st.text(max_size=200), st.text(max_size=50).map(lambda s: s + HOSTILE[0])
)
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


def _no_raw_markup(html):
    for needle in MARKUP:
        assert needle not in html, f"unmaskiert ausgegeben: {needle}"


# --- directory import (HSDS JSON and CSV) ------------------------------------------------------------

hsds = pytest.importorskip("schutznetz.directory.hsds")
importer = pytest.importorskip("schutznetz.directory.importer")
TEMPLATE = (__import__("pathlib").Path(hsds.__file__).parent / "data" / "angebote-vorlage.csv").read_text(
    encoding="utf-8-sig"
)


@SETTINGS
@given(text=st.one_of(hostile_text, st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
@example(text="a\rb\nc")  # a bare carriage return inside a line (found by this test)
@pytest.mark.django_db
def test_import_parsers_reject_garbage_with_a_message(text):
    for name in ("angebote.json", "angebote.csv", "angebote.txt"):
        try:
            items = importer.parse_file(name, text)
        except hsds.ImportFailed as exc:
            assert exc.errors and all(isinstance(e, str) and e.strip() for e in exc.errors)
        else:
            assert isinstance(items, list)


def _template_rows():
    reader = csv.reader(io.StringIO(TEMPLATE), delimiter=";")
    header = next(reader)
    return header, [row for row in reader if row]


@SETTINGS
@given(column=st.integers(min_value=0, max_value=26), value=hostile_text)
@pytest.mark.django_db
def test_hostile_csv_cell_is_refused_naming_the_row_or_stored_and_rendered_escaped(column, value):
    header, rows = _template_rows()
    column %= len(header)
    row = list(rows[0])
    row[column] = value
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerow(row)
    try:
        items = importer.parse_file("angebote.csv", out.getvalue())
    except hsds.ImportFailed as exc:
        assert any("Zeile" in error or header[column] in error for error in exc.errors), exc.errors
        return
    importer.import_items(None, items, show_progress=False)
    for item in items:
        response = Client().get(f"/hilfe/angebot/{item.offer_id}/")
        assert response.status_code in (200, 404)
        _no_raw_markup(response.content.decode())


def test_import_command_with_bad_file_changes_nothing(tmp_path, db):
    from schutznetz.directory.models import Offer

    header, rows = _template_rows()
    good, bad = list(rows[0]), list(rows[0])
    bad[header.index("name")] = ""  # required
    bad[header.index("email")] = '=HYPERLINK("http://evil")'
    path = tmp_path / "angebote.csv"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows([header, good, bad])
    path.write_text(out.getvalue(), encoding="utf-8")
    before = (Offer.objects.count(), AuditEntry.objects.count())
    err = io.StringIO()
    with pytest.raises(CommandError, match="nichts importiert"):
        call_command("import_offers", str(path), stderr=err)
    assert "Zeile 3" in err.getvalue() or "3" in err.getvalue()
    assert (Offer.objects.count(), AuditEntry.objects.count()) == before
    # Invalid UTF-8 is a clear error too.
    path.write_bytes(b"id;name\n\xff\xfe\xfa;\x80\n")
    with pytest.raises(CommandError, match="kann nicht gelesen werden"):
        call_command("import_offers", str(path))
    assert (Offer.objects.count(), AuditEntry.objects.count()) == before


# --- public pages: hostile query parameters ----------------------------------------------------------

url_safe_hostile = hostile_text.filter(lambda s: not any(0xD800 <= ord(c) <= 0xDFFF for c in s))


@SETTINGS
@given(q=url_safe_hostile, ort=url_safe_hostile)
@pytest.mark.django_db
def test_help_finder_escapes_any_query(q, ort):
    response = Client().get("/hilfe/", {"q": q[:5000], "ort": ort[:5000]})
    assert response.status_code in (200, 400)
    _no_raw_markup(response.content.decode())
    assert "SECRET_KEY" not in response.content.decode() or "settings.SECRET_KEY" in q + ort


# --- forms ---------------------------------------------------------------------------------------------


@SETTINGS
@given(name=hostile_text, email=hostile_text, organisation=hostile_text, needs=hostile_text)
def test_registration_form_validates_hostile_input_without_crashing(name, email, organisation, needs):
    forms = pytest.importorskip("schutznetz.events.forms")
    form = forms.RegistrationForm(
        data={
            "name": name,
            "email": email,
            "organisation_name": organisation,
            "profession": "other",
            "accessibility_needs": needs,
            "privacy_consent": "on",
        }
    )
    if form.is_valid():
        assert len(form.cleaned_data["name"]) <= 200
        assert "@" in form.cleaned_data["email"]
    else:
        assert form.errors and all(field == "__all__" or field in form.fields for field in form.errors)
