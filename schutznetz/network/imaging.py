"""Checking uploaded files by their content, and making clean photo renditions.

A photo is decoded, turned upright, and its pixels re-encoded as JPEG in a few
widths. Nothing of the original file is kept, so EXIF (including GPS), XMP,
IPTC and comments cannot survive.
"""

import hashlib
import io
import zipfile

import puremagic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

RENDITION_WIDTHS = (320, 640, 1024, 1600)
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000

# What we accept as material, by detected content → (content type, extension).
MATERIAL_TYPES = {
    ".pdf": ("application/pdf", ".pdf"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    ".odt": ("application/vnd.oasis.opendocument.text", ".odt"),
    ".png": ("image/png", ".png"),
    ".jpg": ("image/jpeg", ".jpg"),
}


def read_limited(upload, max_bytes, field_label):
    """All bytes of an upload, refusing more than ``max_bytes`` without reading them all."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(_too_large(field_label, max_bytes))
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(_too_large(field_label, max_bytes))
    if not data:
        raise ValidationError(_("%(field)s: Die Datei ist leer.") % {"field": field_label})
    return data


def _too_large(field_label, max_bytes):
    return _("%(field)s: Die Datei ist zu groß (höchstens %(mb)s MB).") % {
        "field": field_label,
        "mb": max_bytes // (1024 * 1024),
    }


def _detected_extensions(data):
    try:
        return {match.extension.lower() for match in puremagic.magic_string(data)}
    except puremagic.PureError:
        return set()


def _looks_executable(data):
    return (
        data[:4] == b"\x7fELF"
        or data[:2] == b"MZ"
        or data[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
        or data[:2] == b"#!"
    )


def open_photo(data):
    """Decode ``data`` as a photo; refuse anything that is not a JPEG, PNG or WebP image."""
    message = _("Foto: Die Datei ist kein Bild im Format JPEG, PNG oder WebP.")
    if _looks_executable(data):
        raise ValidationError(message)
    if not _detected_extensions(data) & {".jpg", ".jpeg", ".png", ".webp"}:
        raise ValidationError(message)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in PHOTO_FORMATS:
                raise ValidationError(message)
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("Foto: Das Bild hat zu viele Bildpunkte."))
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(message) from exc
    return image


def _flatten(image):
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image):
    # A fresh image holding only pixels: no info dict, no EXIF, no ICC/XMP carried over.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=84, optimize=True, progressive=True)
    return out.getvalue()


def make_renditions(image):
    """``[(width, height, jpeg_bytes)]`` for each rendition width up to the image's own width."""
    image = _flatten(image)
    widths = [w for w in RENDITION_WIDTHS if w < image.width] + [min(image.width, RENDITION_WIDTHS[-1])]
    renditions = []
    for width in sorted(set(widths)):
        height = max(1, round(image.height * width / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        renditions.append((width, height, _encode(resized)))
    return renditions


def check_material(data, filename):
    """(content type, extension) for an accepted material file, decided by its content."""
    message = _("Datei: Erlaubt sind PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), ODT, PNG und JPEG.")
    if _looks_executable(data):
        raise ValidationError(message)
    if data.startswith(b"%PDF-") and ".pdf" in _detected_extensions(data):
        return MATERIAL_TYPES[".pdf"]
    if data.startswith(b"PK\x03\x04"):
        # Office files are ZIP containers: any ZIP looks like one to magic numbers, so look inside.
        ext = _office_kind(data)
        if ext is None:
            raise ValidationError(message)
        return MATERIAL_TYPES[ext]
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return MATERIAL_TYPES[".png"]
    if data.startswith(b"\xff\xd8\xff"):
        return MATERIAL_TYPES[".jpg"]
    raise ValidationError(message)


def clean_image_material(data, extension):
    """A PNG or JPEG material with only its pixels re-encoded: no EXIF (GPS), XMP or comments survive."""
    try:
        image = ImageOps.exif_transpose(open_photo(data))
    except ValidationError as exc:
        raise ValidationError(
            _(
                "Datei: Das Bild lässt sich nicht verarbeiten (beschädigt oder größer als %(mp)s Megapixel). "
                "Bitte als PNG oder JPEG neu speichern."
            )
            % {"mp": MAX_PIXELS // 1_000_000}
        ) from exc
    out = io.BytesIO()
    if extension == ".png":
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        converted = image.convert(mode)
        clean = Image.new(mode, converted.size)
        clean.paste(converted)
        clean.save(out, format="PNG", optimize=True)
    else:
        clean = Image.new("RGB", image.size)
        clean.paste(image.convert("RGB"))
        clean.save(out, format="JPEG", quality=90, optimize=True)
    return out.getvalue()


_OFFICE_MARKERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}


def _office_kind(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if (
                "mimetype" in names
                and archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text"
            ):
                return ".odt"
            if "[Content_Types].xml" in names:
                for ext, marker in _OFFICE_MARKERS.items():
                    if marker in names:
                        return ext
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def sha256(data):
    return hashlib.sha256(data).hexdigest()
