import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from schutznetz.core.models import AuditEntry
from schutznetz.network import queries, services
from schutznetz.network.models import AgreementVersion
from schutznetz.network.text import DELETE, INSERT, diff_texts, render_markdown
from schutznetz.testing.factories import login

from .conftest import SIGNED

pytestmark = pytest.mark.django_db


def test_versions_are_numbered_and_publishing_supersedes_the_previous(version1, koordination):
    draft = services.create_version(koordination, title="Neu", body="# Zweck\n\nZeile eins.\n\nZeile drei.\n")
    assert draft.number == 2 and draft.is_draft
    assert queries.current_agreement() == version1
    with pytest.raises(ValidationError):
        services.create_version(koordination, title="Zweiter Entwurf", body="x")  # one draft at a time
    services.publish_version(koordination, draft, effective_on=datetime.date(2024, 1, 1))
    version1.refresh_from_db()
    assert version1.status == AgreementVersion.Status.SUPERSEDED
    assert queries.current_agreement().number == 2


def test_published_text_is_frozen(version1, koordination):
    with pytest.raises(ValidationError):
        services.update_draft(koordination, version1, title="x", body="geändert")
    version1.refresh_from_db()
    assert "Zeile zwei" in version1.body


def test_only_koordination_writes_versions(version1, fachkraft, client):
    with pytest.raises(PermissionDenied):
        services.create_version(fachkraft, title="x", body="y")
    login(client, fachkraft)
    assert client.get(reverse("network:version_new")).status_code == 403
    assert client.get(reverse("network:version_list")).status_code == 200  # members read


def test_each_write_records_one_audit_entry(koordination):
    before = AuditEntry.objects.count()
    services.create_version(koordination, title="T", body="Text")
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-id").first().action == "agreement_version.create"


def test_diff_marks_changed_lines_and_words():
    diff = diff_texts(
        "A\nB\nDie Partner treffen sich jährlich.\nC\n",
        "A\nB\nDie Partner treffen sich halbjährlich.\nC\nNeu\n",
    )
    assert (diff.added, diff.removed) == (2, 1)
    lines = [line for hunk in diff.hunks for line in hunk.lines]
    deleted = next(line for line in lines if line.kind == DELETE)
    inserted = [line for line in lines if line.kind == INSERT]
    assert (DELETE, "jährlich.") in deleted.segments
    assert (INSERT, "halbjährlich.") in inserted[0].segments
    assert inserted[1].segments == [(INSERT, "Neu")] and inserted[1].new_number == 5


def test_diff_folds_long_unchanged_stretches():
    old = "\n".join(f"Zeile {n}" for n in range(50))
    new = old.replace("Zeile 40", "Zeile vierzig")
    diff = diff_texts(old, new, context=2)
    assert len(diff.hunks) == 1
    assert diff.hunks[0].skipped_before == 38
    assert diff_texts("gleich", "gleich").has_changes is False


def test_diff_page_is_an_accessible_table_not_colour_only(version1, koordination, client):
    services.create_version(
        koordination, title="Neu", body="# Zweck\n\nZeile eins.\n\nZeile <script>zwei</script> geändert.\n"
    )
    login(client, koordination)
    response = client.get(reverse("network:version_diff"), {"old": 1, "new": 2})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption" in html and 'scope="col"' in html
    assert "entfernt" in html and "hinzugefügt" in html  # words, not only colour
    assert "<del>" in html and "<ins>" in html and "[gestrichen: " in html
    assert "<script>zwei" not in html and "&lt;script&gt;" in html


def test_diff_of_unknown_version_names_the_field(version1, koordination, client):
    login(client, koordination)
    response = client.get(reverse("network:version_diff"), {"old": 1, "new": 99})
    assert response.status_code == 200
    assert "Neuere Fassung" in response.content.decode() and "kern-error" in response.content.decode()


def test_markdown_is_sanitised():
    html = render_markdown(
        "# Titel\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<h2>Titel</h2>" in html  # h1 shifted below the page heading


def test_accession_records_who_signed_and_one_open_accession_per_partner(partners, version1, koordination):
    jugendamt = partners[0]
    accession = jugendamt.accessions.get()
    assert (
        accession.signatory_name,
        accession.signatory_function,
        accession.signed_on,
        accession.version,
    ) == (
        "Person 1",
        "Leitung",
        SIGNED,
        version1,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_accession(
            koordination, jugendamt, version1, signatory_name="X", signatory_function="Y", signed_on=SIGNED
        )
    assert "organisation" in excinfo.value.message_dict


def test_accession_needs_signatory_function_date_and_no_draft(jugendamt, koordination, version1):
    draft = services.create_version(koordination, title="E", body="Text")
    with pytest.raises(ValidationError) as excinfo:
        services.record_accession(
            koordination, jugendamt, draft, signatory_name=" ", signatory_function="", signed_on=None
        )
    assert set(excinfo.value.message_dict) == {"signatory_name", "signatory_function", "signed_on", "version"}
    assert not jugendamt.accessions.exists()


def test_withdrawal_removes_partner_from_signatories_and_allows_rejoining(partners, version1, koordination):
    polizei = partners[1]
    accession = polizei.accessions.get()
    with pytest.raises(ValidationError):
        services.record_withdrawal(koordination, accession, withdrawn_on=datetime.date(2020, 1, 1))
    services.record_withdrawal(
        koordination, accession, withdrawn_on=datetime.date(2024, 6, 30), reason="Umstrukturierung"
    )
    names = [row["organisation"] for row in queries.signatories(version1)]
    assert polizei not in names and partners[0] in names
    assert polizei not in queries.active_partners()
    services.record_accession(
        koordination,
        polizei,
        version1,
        signatory_name="Neu",
        signatory_function="Leitung",
        signed_on=datetime.date(2025, 1, 1),
    )
    assert polizei in queries.active_partners()
    assert polizei.accessions.count() == 2


def test_new_version_lists_partners_that_have_not_confirmed(partners, version1, koordination):
    v2 = services.publish_version(
        koordination,
        services.create_version(koordination, title="F2", body="Neu"),
        effective_on=datetime.date(2025, 1, 1),
    )
    status = queries.confirmation_status(v2)
    assert status["confirmed"] == [] and status["pending"] == sorted(partners, key=lambda o: o.name)
    services.record_confirmation(
        koordination,
        partners[0],
        v2,
        signatory_name="A",
        signatory_function="Leitung",
        confirmed_on=datetime.date(2025, 2, 1),
    )
    status = queries.confirmation_status(v2)
    assert [row["organisation"] for row in status["confirmed"]] == [partners[0]]
    assert partners[0] not in status["pending"] and len(status["pending"]) == 2
    with pytest.raises(ValidationError):  # twice
        services.record_confirmation(
            koordination,
            partners[0],
            v2,
            signatory_name="A",
            signatory_function="L",
            confirmed_on=datetime.date(2025, 2, 1),
        )


def test_confirmation_requires_membership(version1, polizei, koordination):
    with pytest.raises(ValidationError) as excinfo:
        services.record_confirmation(
            koordination, polizei, version1, signatory_name="A", signatory_function="L", confirmed_on=SIGNED
        )
    assert "organisation" in excinfo.value.message_dict


def test_confirmation_page_shows_who_has_not_confirmed_and_records_by_form(partners, koordination, client):
    v2 = services.publish_version(koordination, services.create_version(koordination, title="F2", body="Neu"))
    login(client, koordination)
    url = reverse("network:version_detail", args=[v2.number])
    html = client.get(url).content.decode()
    assert "noch-nicht-bestaetigt" in html and "Polizei Teststadt" in html
    response = client.post(
        reverse("network:version_confirm", args=[v2.number]),
        {
            "confirm-organisation": partners[1].pk,
            "confirm-signatory_name": "B",
            "confirm-signatory_function": "Leitung",
            "confirm-date": "2025-01-02",
        },
    )
    assert response.status_code == 302
    status = queries.confirmation_status(v2)
    assert partners[1] not in status["pending"]


def test_public_agreement_page_and_pdf_show_current_version_with_signatories(
    partners, version1, koordination, client
):
    services.create_version(koordination, title="Entwurf", body="GEHEIMER ENTWURF")
    response = client.get(reverse("network:agreement"))
    html = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert "Zeile zwei" in html and "Person 1" in html and "Jugendamt Teststadt" in html
    assert "GEHEIMER ENTWURF" not in html
    pdf = client.get(reverse("network:agreement_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Person 1" in text and "Unterzeichnende" in text and "Polizei Teststadt" in text


def test_public_agreement_page_without_any_version(client, db):
    assert client.get(reverse("network:agreement")).status_code == 200
    assert client.get(reverse("network:agreement_pdf")).status_code == 404
