from datetime import timedelta

import pytest
from django.utils import timezone

from schutznetz.accounts.models import OrganisationKind, Role
from schutznetz.evidence import services
from schutznetz.testing.factories import make_organisation, make_user


class Sites:
    pass


@pytest.fixture
def sites(db):
    s = Sites()
    s.clinic = make_organisation("Klinik A (Test)", kind=OrganisationKind.KLINIK)
    s.clinic_b = make_organisation("Klinik B (Test)", kind=OrganisationKind.KLINIK)
    s.institute = make_organisation("Rechtsmedizin (Test)", kind=OrganisationKind.RECHTSMEDIZIN)
    s.other_clinic = make_organisation("Klinik außerhalb (Test)", kind=OrganisationKind.KLINIK)
    s.programme = services.save_programme(
        None,
        title="Testprogramm",
        storage_site=s.institute,
        clinics=[s.clinic, s.clinic_b],
        retention_years=10,
    )
    staff = (Role.SPURENSICHERUNG,)
    s.clinic_user = make_user("klinik-a", organisation=s.clinic, roles=staff)
    s.clinic_b_user = make_user("klinik-b", organisation=s.clinic_b, roles=staff)
    s.lab_user = make_user("labor", organisation=s.institute, roles=staff)
    s.lab_witness = make_user("labor-zeugin", organisation=s.institute, roles=staff)
    s.koordination = make_user("koordination", roles=(Role.KOORDINATION,))
    return s


def register(sites, actor=None, days_ago=1, **extra):
    data = {
        "programme": sites.programme,
        "examined_at": timezone.now() - timedelta(days=days_ago),
        "kind": "sexual",
        "items": {"swabs": 3, "blood": 1},
        "seal_number": "S-1",
    }
    data.update(extra)
    return services.register_kit(actor or sites.clinic_user, **data)


def at_institute(sites, **extra):
    kit, pin = register(sites, **extra)
    services.hand_over(sites.clinic_user, kit, to_site=sites.institute, seal_number="S-1")
    services.confirm_receipt(sites.lab_user, kit, seal_number="S-1")
    kit.refresh_from_db()
    return kit, pin
