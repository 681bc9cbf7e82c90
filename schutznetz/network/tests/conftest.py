import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.network import services
from schutznetz.testing.factories import make_organisation, make_user

SIGNED = datetime.date(2023, 11, 2)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def koordination_org(db):
    return make_organisation("Koordinierungsstelle Test", kind=OrganisationKind.KOORDINATION)


@pytest.fixture
def koordination(koordination_org):
    return make_user("koordination", organisation=koordination_org, roles=[Role.KOORDINATION])


@pytest.fixture
def jugendamt(db):
    return make_organisation("Jugendamt Teststadt", kind=OrganisationKind.JUGENDAMT)


@pytest.fixture
def polizei(db):
    return make_organisation("Polizei Teststadt", kind=OrganisationKind.POLIZEI)


@pytest.fixture
def fachkraft(jugendamt):
    return make_user("fachkraft", organisation=jugendamt, roles=[Role.FACHKRAFT])


@pytest.fixture
def org_admin(jugendamt):
    return make_user("orgadmin", organisation=jugendamt, roles=[Role.ORG_ADMIN])


@pytest.fixture
def version1(db):
    version = services.create_version(
        None, title="Kooperationsvereinbarung", body="# Zweck\n\nZeile eins.\n\nZeile zwei.\n"
    )
    return services.publish_version(None, version, effective_on=SIGNED)


@pytest.fixture
def partners(version1, jugendamt, polizei, koordination_org):
    for number, organisation in enumerate((jugendamt, polizei, koordination_org), start=1):
        services.record_accession(
            None,
            organisation,
            version1,
            signatory_name=f"Person {number}",
            signatory_function="Leitung",
            signed_on=SIGNED,
        )
    return [jugendamt, polizei, koordination_org]


def jpeg_bytes(size=(800, 600), exif=None, colour=(200, 30, 30)):
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def upload(data, name="foto.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
