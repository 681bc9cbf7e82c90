import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schutznetz.network import queries, services
from schutznetz.network.models import (
    Accession,
    AgreementVersion,
    Material,
    MaterialVersion,
    Meeting,
    NewsItem,
    PartnerProfile,
)
from schutznetz.testing.factories import login

from .conftest import upload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _zip_with_exe():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("setup.exe", b"MZ" + b"\x00" * 100)
    return buffer.getvalue()


def _material(actor, title, visibility, topics=("kinderschutz",), audience="fachkraefte"):
    material = services.save_material(
        actor,
        title=title,
        description="",
        kind="Checkliste",
        audience=audience,
        visibility=visibility,
        topics=list(topics),
    )
    services.add_material_version(actor, material, upload(PDF, "datei.pdf", "application/pdf"))
    return material


def test_material_versions_are_numbered_and_typed_by_content(koordination):
    material = _material(koordination, "Checkliste", "public")
    v2 = services.add_material_version(
        koordination, material, upload(_docx(), "liste.pdf", "application/pdf"), change_note="überarbeitet"
    )
    assert v2.number == 2 and v2.filename == "checkliste-v2.docx"
    assert v2.content_type.endswith("wordprocessingml.document")
    assert material.current_version() == v2 and len(v2.sha256) == 64


@pytest.mark.parametrize(
    "payload", [b"\x7fELF" + b"\x00" * 100, b"MZ" + b"\x00" * 100, _zip_with_exe(), b"just text"]
)
def test_material_upload_refuses_other_content(koordination, payload):
    material = services.save_material(
        koordination, title="X", audience="fachkraefte", visibility="public", topics=["praevention"]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.add_material_version(
            koordination, material, upload(payload, "leitfaden.pdf", "application/pdf")
        )
    assert excinfo.value.messages[0].startswith("Datei:")
    assert not MaterialVersion.objects.exists()


def test_material_needs_a_topic(koordination):
    with pytest.raises(ValidationError) as excinfo:
        services.save_material(
            koordination, title="X", audience="fachkraefte", visibility="public", topics=[]
        )
    assert "topics" in excinfo.value.message_dict and not Material.objects.exists()


def test_public_materials_on_network_page_internal_only_for_members(koordination, fachkraft, client):
    public = _material(
        koordination, "Faltblatt Hilfe", "public", topics=["praevention"], audience="betroffene"
    )
    internal = _material(koordination, "Interne Checkliste", "internal")
    html = client.get(reverse("network:home")).content.decode()
    assert "Faltblatt Hilfe" in html and "Interne Checkliste" not in html
    filtered = client.get(reverse("network:home"), {"topic": "kinderschutz"}).content.decode()
    assert "Faltblatt Hilfe" not in filtered

    download = client.get(reverse("network:material_download", args=[public.slug]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert (
        download["Content-Disposition"].startswith("attachment;")
        and "faltblatt-hilfe-v1.pdf" in download["Content-Disposition"]
    )
    assert b"".join(download.streaming_content) == PDF
    assert client.get(reverse("network:material_download", args=[internal.slug])).status_code == 404

    login(client, fachkraft)
    assert client.get(reverse("network:material_download", args=[internal.slug])).status_code == 200
    listing = client.get(reverse("network:material_list")).content.decode()
    assert "Interne Checkliste" in listing and "Faltblatt Hilfe" in listing
    assert (
        client.get(reverse("network:material_version_download", args=[internal.slug, 7])).status_code == 404
    )


def test_org_admin_edits_only_own_partner_profile(org_admin, jugendamt, polizei, client):
    services.save_partner_profile(org_admin, jugendamt, contribution="Schutzauftrag", contact_label="ASD")
    with pytest.raises(PermissionDenied):
        services.save_partner_profile(org_admin, polizei, contribution="fremd")
    login(client, org_admin)
    assert client.get(reverse("network:partner_edit", args=[polizei.slug])).status_code == 404
    response = client.post(
        reverse("network:partner_edit", args=[jugendamt.slug]),
        {
            "contribution": "Hilfen zur Erziehung",
            "contact_label": "ASD",
            "contact_email": "asd@example.org",
            "is_public": "on",
        },
    )
    assert response.status_code == 302
    assert PartnerProfile.objects.get(organisation=jugendamt).contribution == "Hilfen zur Erziehung"
    bad = client.post(reverse("network:partner_edit", args=[jugendamt.slug]), {"contact_email": "kein-mail"})
    assert bad.status_code == 200 and "E-Mail der Ansprechstelle" in bad.content.decode()


def test_fachkraft_cannot_edit_profiles_koordination_can(fachkraft, koordination, jugendamt):
    with pytest.raises(PermissionDenied):
        services.save_partner_profile(fachkraft, jugendamt, contribution="x")
    services.save_partner_profile(koordination, jugendamt, contribution="y")
    assert jugendamt.partner_profile.contribution == "y"


def test_network_page_lists_active_partners_by_kind_without_cookies(partners, koordination, client):
    services.save_partner_profile(
        None,
        partners[0],
        contribution="Schutzauftrag für Kinder",
        contact_label="ASD",
        contact_phone="02921 0",
    )
    services.record_withdrawal(
        koordination, partners[1].accessions.get(), withdrawn_on=partners[1].accessions.get().signed_on
    )
    response = client.get(reverse("network:home"))
    html = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert response["Cache-Control"].startswith("no-store")
    assert "Jugendamt Teststadt" in html and "Schutzauftrag für Kinder" in html and "<h3" in html
    assert "Polizei Teststadt" not in html  # withdrawn
    assert queries.active_partners() == sorted([partners[0], partners[2]], key=lambda o: o.name)


def test_staff_pages_render_for_members(partners, fachkraft, client):
    login(client, fachkraft)
    for name in ("staff_home", "partner_list", "version_list", "meeting_list", "material_list"):
        assert client.get(reverse(f"network:{name}")).status_code == 200, name
    client.logout()
    assert client.get(reverse("network:staff_home")).status_code == 302


def test_demo_is_idempotent(db):
    from schutznetz.accounts import demo as accounts_demo
    from schutznetz.network import demo

    out = io.StringIO()
    accounts_demo.load(out)
    demo.load(out)
    counts = [
        m.objects.count()
        for m in (PartnerProfile, AgreementVersion, Accession, Meeting, NewsItem, Material, MaterialVersion)
    ]
    demo.load(out)
    assert counts == [
        m.objects.count()
        for m in (PartnerProfile, AgreementVersion, Accession, Meeting, NewsItem, Material, MaterialVersion)
    ]
    news = NewsItem.objects.get(slug="kooperationsvereinbarung-unterzeichnet")
    assert news.is_published and news.published_on.isoformat() == "2023-11-02"
    assert all(photo.is_publishable for photo in news.photos.all())
    assert Accession.objects.filter(signed_on="2023-11-02").count() >= 14
    assert AgreementVersion.objects.get(number=2).is_draft
    assert Meeting.objects.filter(tasks__isnull=False).exists()


def test_every_staff_page_renders_for_koordination(partners, koordination, version1, client):
    group = services.save_working_group(koordination, name="AK Test", organisations=partners[:1])
    material = _material(koordination, "Leitfaden", "internal")
    news = services.save_news(koordination, title="Meldung", lead="L", body="B")
    start = timezone.now()
    meeting = services.save_meeting(
        koordination,
        title="Sitzung",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Ort",
    )
    services.create_version(koordination, title="Entwurf", body="Neu")
    login(client, koordination)
    urls = [
        reverse("network:staff_home"),
        reverse("network:partner_list"),
        reverse("network:partner_edit", args=[partners[0].slug]),
        reverse("network:working_group_new"),
        reverse("network:working_group_edit", args=[group.slug]),
        reverse("network:version_list"),
        reverse("network:version_detail", args=[1]),
        reverse("network:version_detail", args=[2]),
        reverse("network:version_edit", args=[2]),
        reverse("network:version_diff") + "?old=1&new=2",
        reverse("network:accession_new"),
        reverse("network:accession_withdraw", args=[partners[0].accessions.get().pk]),
        reverse("network:meeting_list"),
        reverse("network:meeting_new"),
        reverse("network:meeting_detail", args=[meeting.pk]),
        reverse("network:meeting_edit", args=[meeting.pk]),
        reverse("network:minutes", args=[meeting.pk]),
        reverse("network:news_admin"),
        reverse("network:news_new"),
        reverse("network:news_edit", args=[news.pk]),
        reverse("network:material_list"),
        reverse("network:material_new"),
        reverse("network:material_edit", args=[material.slug]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content, url
    # A published version cannot be edited: it redirects with a message.
    assert client.get(reverse("network:version_edit", args=[1])).status_code == 302
    # While a draft exists, "new version" leads to that draft's form.
    response = client.get(reverse("network:version_new"), follow=True)
    assert response.status_code == 200 and b'name="body"' in response.content
    services.publish_version(koordination, AgreementVersion.objects.get(number=2))
    response = client.get(reverse("network:version_new"))
    assert response.status_code == 200 and b'name="body"' in response.content
    assert Meeting.objects.count() == 1


def test_profile_links_are_validated_in_the_service(koordination, jugendamt):
    with pytest.raises(ValidationError) as excinfo:
        services.save_partner_profile(
            koordination, jugendamt, website="javascript:alert(1)", contact_email="kaputt"
        )
    assert set(excinfo.value.message_dict) == {"website", "contact_email"}
    assert not PartnerProfile.objects.filter(organisation=jugendamt).exists()
