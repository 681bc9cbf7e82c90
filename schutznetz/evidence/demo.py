"""Demo data: one programme (two clinics, the forensic institute) and kits in different states.

Idempotent: the programme is keyed by title, demo users by username, kits by their code.
Demo kits have predictable codes (``DEM0…``) and one PIN, printed below, so the
status page can be tried; real codes are random.
"""

from datetime import timedelta

from django.utils import timezone

from schutznetz.accounts import services as account_services
from schutznetz.accounts.demo import DEMO_PASSWORD, demo_organisation
from schutznetz.accounts.models import Role, User
from schutznetz.evidence import codes, services
from schutznetz.evidence.models import (
    EventKind,
    ExaminationKind,
    Kit,
    Programme,
    RecipientKind,
    ReminderChannel,
)

PROGRAMME_TITLE = "Vertrauliche Spurensicherung Kreis Soest"
CLINIC_SOEST = "Klinikum Soest (Demo)"
CLINIC_LIPPSTADT = "Dreifaltigkeits-Hospital Lippstadt (Demo)"
INSTITUTE = "Institut für Rechtsmedizin (Demo)"
DEMO_PIN = "246810"

EXTRA_USERS = {
    "demo-spurensicherung-lippstadt": CLINIC_LIPPSTADT,
    "demo-rechtsmedizin": INSTITUTE,
    "demo-rechtsmedizin-zeugin": INSTITUTE,
}


def demo_code(number):
    data = f"DEM{number:05d}"
    return codes.format_code(data + codes.check_character(data))


def _user(username, org_name):
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.create_user(
            None,
            username=username,
            organisation=demo_organisation(org_name),
            roles=[Role.SPURENSICHERUNG],
            password=DEMO_PASSWORD,
            is_demo=True,
        )
    return user


def load(stdout):
    soest, lippstadt, institute = (demo_organisation(n) for n in (CLINIC_SOEST, CLINIC_LIPPSTADT, INSTITUTE))
    programme = Programme.objects.filter(title=PROGRAMME_TITLE).first()
    if programme is None:
        programme = services.save_programme(
            None,
            title=PROGRAMME_TITLE,
            storage_site=institute,
            clinics=[soest, lippstadt],
            retention_years=10,
        )
    for username, org_name in EXTRA_USERS.items():
        _user(username, org_name)
    clinic_soest = User.objects.get(username="demo-spurensicherung")
    clinic_lippstadt = User.objects.get(username="demo-spurensicherung-lippstadt")
    lab = User.objects.get(username="demo-rechtsmedizin")
    witness = User.objects.get(username="demo-rechtsmedizin-zeugin")
    now = timezone.now()

    def kit(number, actor, days_ago, kind, items, **extra):
        code = demo_code(number)
        existing = Kit.objects.filter(code=code).first()
        if existing is not None:
            return existing, False
        created, _pin = services.register_kit(
            actor,
            programme=programme,
            examined_at=now - timedelta(days=days_ago),
            kind=kind,
            items=items,
            seal_number=f"S-{number:05d}",
            declaration_signed=True,
            code=code,
            pin=DEMO_PIN,
            **extra,
        )
        return created, True

    def to_institute(k, actor, number):
        services.hand_over(actor, k, to_site=institute, seal_number=f"S-{number:05d}", reason="Kurierfahrt")
        services.confirm_receipt(lab, k, seal_number=f"S-{number:05d}")
        services.record_storage(lab, k, kind=EventKind.STORED, reason="Tiefkühlraum 2")

    # 1: just sealed at the clinic.
    kit(1, clinic_soest, 1, ExaminationKind.SEXUAL, {"swabs": 4, "blood": 1, "urine": 1, "clothing": 2})
    # 2: on its way to the institute, receipt not yet confirmed.
    k, new = kit(2, clinic_soest, 3, ExaminationKind.KO_DRUGS, {"blood": 2, "urine": 2, "hair": 1})
    if new:
        services.hand_over(clinic_soest, k, to_site=institute, seal_number="S-00002", reason="Kurierfahrt")
    # 3: stored at the institute.
    k, new = kit(3, clinic_lippstadt, 40, ExaminationKind.PHYSICAL, {"photos": 12, "swabs": 2})
    if new:
        to_institute(k, clinic_lippstadt, 3)
    # 4: retention ends in 45 days; the person chose an e-mail reminder.
    k, new = kit(
        4,
        clinic_lippstadt,
        10 * 365 + 2 - 45,
        ExaminationKind.SEXUAL,
        {"swabs": 6, "clothing": 1},
        reminder_channel=ReminderChannel.EMAIL,
        reminder_contact="erinnerung@example.org",
    )
    if new:
        to_institute(k, clinic_lippstadt, 4)
    # 5: released to the police after a recorded waiver.
    k, new = kit(5, clinic_soest, 200, ExaminationKind.SEXUAL, {"swabs": 4, "blood": 1})
    if new:
        to_institute(k, clinic_soest, 5)
        services.record_waiver(
            lab,
            k,
            signed_on=timezone.localdate() - timedelta(days=2),
            form_reference="SE-2026-017",
            recipient_kind=RecipientKind.POLICE,
            recipient_office="Kreispolizeibehörde Soest, KK 12",
        )
        services.record_storage(lab, k, kind=EventKind.MOVED, reason="Ausgabe vorbereitet")
        services.release(lab, k, seal_number="S-00005", reason="Abholung durch KK 12")
    # 6: destroyed after its (short, extended-and-expired) retention, with a witness.
    k, new = kit(6, clinic_lippstadt, 10 * 365 + 30, ExaminationKind.PHYSICAL, {"photos": 8})
    if new:
        to_institute(k, clinic_lippstadt, 6)
        services.destroy(lab, k, witness=witness, seal_number="S-00006", reason="Frist abgelaufen")
    stdout.write(
        f"Spurensicherung: Programm „{PROGRAMME_TITLE}“, {Kit.objects.filter(code__startswith='DEM0').count()} Demo-Sets "
        f"(PIN für alle: {DEMO_PIN}, Codes z. B. {demo_code(3)}); Zugänge " + ", ".join(EXTRA_USERS) + "."
    )
