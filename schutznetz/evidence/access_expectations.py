"""Who may reach the evidence pages (read by tests/test_authorization_matrix.py; format: tests/access_matrix.py).

Kits are seen only by evidence staff (Spurensicherung) of a site that holds or held them; the
Koordination manages programmes and sees billing counts, never kits. The public status page asks
for code and PIN.
"""


def setup(world):
    from datetime import timedelta

    from django.utils import timezone

    from schutznetz.accounts.demo import demo_organisation
    from schutznetz.accounts.models import Role
    from schutznetz.evidence import services
    from schutznetz.testing.factories import make_user

    clinic = world.users["spurensicherung"].organisation
    other_clinic = demo_organisation("Dreifaltigkeits-Hospital Lippstadt (Demo)")
    institute = demo_organisation("Institut für Rechtsmedizin (Demo)")
    programme = services.save_programme(
        None,
        title="Matrix-Programm",
        storage_site=institute,
        clinics=[clinic, other_clinic],
        retention_years=10,
    )
    other_user = make_user("matrix-klinik-fremd", organisation=other_clinic, roles=[Role.SPURENSICHERUNG])

    def kit(actor):
        registered, _pin = services.register_kit(
            actor, programme=programme, examined_at=timezone.now() - timedelta(days=1), kind="sexual",
            items={"swabs": 2}, seal_number="S-1",
        )  # fmt: skip
        return registered

    world.objects["programme"] = programme
    world.objects["kit"] = kit(world.users["spurensicherung"])
    world.objects["foreign_kit"] = kit(other_user)


SPURENSICHERUNG = {"spurensicherung"}


def _kit(post_only=False):
    entry = {
        "allow": SPURENSICHERUNG,
        "kwargs": lambda w: {"kit_id": w.objects["kit"].pk},
        "foreign_kwargs": lambda w: {"kit_id": w.objects["foreign_kit"].pk},
        "secret": lambda w: w.objects["foreign_kit"].code,
    }
    if post_only:
        entry["post_only"] = True
    return entry


EXPECTATIONS = {
    "evidence:status": {"allow": "public"},
    "evidence:status_legacy": {"allow": "public"},
    "evidence:kit_list": {"allow": SPURENSICHERUNG, "secret": lambda w: w.objects["foreign_kit"].code},
    "evidence:kit_register": {"allow": SPURENSICHERUNG},
    "evidence:expiring": {"allow": SPURENSICHERUNG, "secret": lambda w: w.objects["foreign_kit"].code},
    "evidence:billing": {"allow": {"koordination", "spurensicherung"}},
    "evidence:programme_list": {"allow": {"koordination"}},
    "evidence:programme_create": {"allow": {"koordination"}},
    "evidence:programme_edit": {
        "allow": {"koordination"},
        "kwargs": lambda w: {"programme_id": w.objects["programme"].pk},
    },
    "evidence:kit_detail": _kit(),
    "evidence:kit_card": _kit(post_only=True),
    "evidence:kit_labels": _kit(),
    "evidence:kit_hand_over": _kit(),
    "evidence:kit_withdraw_hand_over": _kit(),
    "evidence:kit_receive": _kit(),
    "evidence:kit_storage": _kit(),
    "evidence:kit_extend": _kit(),
    "evidence:kit_destroy": _kit(),
    "evidence:kit_waiver": _kit(),
    "evidence:kit_release": _kit(),
    "evidence:kit_call_done": _kit(post_only=True),
}
