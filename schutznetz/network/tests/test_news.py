import datetime
import io
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import ExifTags, Image

from schutznetz.network import services
from schutznetz.network.models import NewsItem, Photo
from schutznetz.testing.factories import login

from .conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 44
    + b"\x80\x00\x00\x00"
    + b"\x00" * 64
    + b"PE\x00\x00"
    + b"\x00" * 100
)


def _gps_jpeg():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Testkamera"
    exif[ExifTags.Base.ImageDescription] = "Wohnung von Frau M."
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 34.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (8.0, 6.0, 30.25)
    data = jpeg_bytes(size=(1200, 800), exif=exif)
    # The fixture really carries GPS, otherwise the test below would prove nothing.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return data


@pytest.fixture
def news(koordination):
    return services.save_news(
        koordination,
        title="Fachtag 2025",
        lead="Vorspann",
        body="Text **fett**",
        press_contact="Presse",
        published_on=datetime.date(2025, 3, 1),
    )


@pytest.mark.parametrize(
    "payload",
    [
        ELF,
        PE,
        b"#!/bin/sh\nrm -rf /\n",
        b"GIF89a" + b"\x00" * 50,
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_renamed_executables_and_other_files_are_refused(news, koordination, payload):
    with pytest.raises(ValidationError) as excinfo:
        services.add_photo(
            koordination, news, upload(payload, "photo.jpg"), alt_text="Bild", credit="C", usage_terms="U"
        )
    assert "Foto" in excinfo.value.messages[0]
    assert not Photo.objects.exists()


def test_renamed_executable_is_refused_through_the_form(news, koordination, client):
    login(client, koordination)
    response = client.post(
        reverse("network:photo_add", args=[news.pk]),
        {
            "photo-image": upload(ELF, "photo.jpg"),
            "photo-alt_text": "Bild",
            "photo-credit": "C",
            "photo-usage_terms": "U",
        },
    )
    assert response.status_code == 400
    assert "kein Bild im Format JPEG, PNG oder WebP" in response.content.decode()
    assert not Photo.objects.exists()


def test_size_limit(news, koordination, settings):
    settings.SCHUTZNETZ_PHOTO_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as excinfo:
        services.add_photo(
            koordination, news, upload(jpeg_bytes()), alt_text="Bild", credit="C", usage_terms="U"
        )
    assert "zu groß" in excinfo.value.messages[0]


def test_gps_and_all_exif_are_stripped_from_every_rendition(news, koordination, media_root):
    photo = services.add_photo(
        koordination, news, upload(_gps_jpeg()), alt_text="Bild", credit="Foto: Test", usage_terms="frei"
    )
    renditions = list(photo.renditions.all())
    assert [r.width for r in renditions] == [320, 640, 1024, 1200]
    for rendition in renditions:
        with default_storage.open(rendition.file.name, "rb") as handle:
            raw = handle.read()
        assert b"Exif" not in raw and b"Testkamera" not in raw and b"Frau M." not in raw
        image = Image.open(io.BytesIO(raw))
        assert image.format == "JPEG" and not image.getexif() and "exif" not in image.info
        assert image.width == rendition.width
    # No original file anywhere under MEDIA_ROOT.
    stored = [p.read_bytes() for p in media_root.rglob("*") if p.is_file()]
    assert len(stored) == 4 and not any(b"Testkamera" in data for data in stored)


def test_png_with_transparency_is_accepted_and_flattened(news, koordination):
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 255, 0)).save(out, format="PNG")
    photo = services.add_photo(
        koordination,
        news,
        upload(out.getvalue(), "grafik.png", "image/png"),
        alt_text="Grafik",
        credit="C",
        usage_terms="U",
    )
    assert [r.width for r in photo.renditions.all()] == [300]


def test_photo_without_credit_cannot_be_published(news, koordination, client):
    photo = services.add_photo(
        koordination, news, upload(jpeg_bytes()), alt_text="Bild", credit="", usage_terms="frei"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.publish_news(koordination, news)
    assert "Fotonachweis" in excinfo.value.messages[0]
    news.refresh_from_db()
    assert news.status == NewsItem.Status.DRAFT
    login(client, koordination)
    client.post(reverse("network:news_publish", args=[news.pk]))
    news.refresh_from_db()
    assert news.status == NewsItem.Status.DRAFT
    # Not visible to the public either way.
    client.logout()
    assert client.get(reverse("network:photo", args=[photo.pk, photo.width])).status_code == 404
    services.update_photo(koordination, photo, alt_text="Bild", credit="Foto: Kreis", usage_terms="frei")
    services.publish_news(koordination, news)
    with pytest.raises(ValidationError):  # and a credit cannot be removed afterwards
        services.update_photo(koordination, photo, alt_text="Bild", credit="", usage_terms="frei")


def test_published_news_shows_photo_with_credit_srcset_and_serves_renditions(news, koordination, client):
    photo = services.add_photo(
        koordination,
        news,
        upload(jpeg_bytes(size=(1700, 900))),
        alt_text="Saal beim Fachtag",
        credit="Foto: Kreis Soest",
        usage_terms="honorarfrei mit Nachweis",
    )
    services.publish_news(koordination, news)
    response = client.get(reverse("network:news_detail", args=[news.slug]))
    html = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert (
        "Foto: Kreis Soest" in html
        and "honorarfrei mit Nachweis" in html
        and 'alt="Saal beim Fachtag"' in html
    )
    assert "srcset=" in html and "320w" in html and "1600w" in html
    assert "<strong>fett</strong>" in html
    image = client.get(reverse("network:photo", args=[photo.pk, 640]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(b"".join(image.streaming_content))).width == 640
    assert client.get(reverse("network:photo", args=[photo.pk, 999])).status_code == 404
    listing = client.get(reverse("network:news_list")).content.decode()
    assert "Fachtag 2025" in listing and "Foto: Kreis Soest" in listing


def test_draft_news_is_not_public(news, client):
    assert client.get(reverse("network:news_detail", args=[news.slug])).status_code == 404
    assert "Fachtag 2025" not in client.get(reverse("network:news_list")).content.decode()


def test_only_koordination_writes_news(news, fachkraft, client):
    login(client, fachkraft)
    assert client.get(reverse("network:news_new")).status_code == 403
    assert client.post(reverse("network:news_publish", args=[news.pk])).status_code == 403


@pytest.mark.parametrize("url_name,version", [("network:news_rss", "rss20"), ("network:news_atom", "atom10")])
def test_feeds_validate(news, koordination, client, url_name, version):
    services.add_photo(koordination, news, upload(jpeg_bytes()), alt_text="Bild", credit="C", usage_terms="U")
    services.publish_news(koordination, news)
    services.save_news(koordination, title="Entwurf bleibt intern", lead="x", body="y")
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    ET.fromstring(response.content)  # noqa: S314 – our own feed; well-formed XML
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title.startswith("Aktuelles") and feed.feed.link.startswith("http")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == "Fachtag 2025"
    assert entry.link.endswith(reverse("network:news_detail", args=[news.slug]))
    assert entry.id and entry.published_parsed[:3] == (2025, 3, 1)
    if version == "atom10":
        assert entry.updated_parsed and feed.feed.updated_parsed and feed.feed.id
        assert entry.get("author") or feed.feed.get("author")


def test_news_form_creates_and_publishes(koordination, client):
    login(client, koordination)
    response = client.post(
        reverse("network:news_new"),
        {
            "title": "Neue Meldung",
            "published_on": "2025-01-10",
            "lead": "Kurz",
            "body": "Lang",
            "press_contact": "",
        },
    )
    item = NewsItem.objects.get(title="Neue Meldung")
    assert response.status_code == 302 and item.slug == "neue-meldung"
    bad = client.post(
        reverse("network:news_new"),
        {"title": "", "published_on": "2025-01-10", "lead": "Kurz", "body": "Lang"},
    )
    assert bad.status_code == 200 and 'href="#id_title"' in bad.content.decode()
    client.post(reverse("network:news_publish", args=[item.pk]))
    item.refresh_from_db()
    assert item.is_published


def test_older_news_are_reachable_page_by_page(client):
    from schutznetz.network.views import NEWS_PER_PAGE

    today = datetime.date(2026, 1, 31)
    for day in range(NEWS_PER_PAGE + 5):
        NewsItem.objects.create(
            slug=f"meldung-{day}", title=f"Meldung Nummer {day:02d}", lead="Vorspann", body="Text",
            status=NewsItem.Status.PUBLISHED, published_on=today - datetime.timedelta(days=day),
        )  # fmt: skip
    url = reverse("network:news_list")
    first = client.get(url).content.decode()
    assert "Meldung Nummer 00" in first and f"Meldung Nummer {NEWS_PER_PAGE - 1:02d}" in first
    assert f"Meldung Nummer {NEWS_PER_PAGE:02d}" not in first
    assert 'href="?seite=2"' in first and "Ältere Meldungen" in first and "Seite 1 von 2" in first
    second = client.get(url, {"seite": "2"}).content.decode()
    assert "Meldung Nummer 24" in second and "Meldung Nummer 00" not in second
    assert 'href="?seite=1"' in second and "Neuere Meldungen" in second
    # Odd page numbers give a page, never an error.
    assert "Meldung Nummer 00" in client.get(url, {"seite": "abc"}).content.decode()
    assert "Meldung Nummer 24" in client.get(url, {"seite": "99999999999999999999"}).content.decode()
