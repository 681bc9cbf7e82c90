"""Who may reach the directory's pages and API (read by tests/test_authorization_matrix.py;
format: tests/access_matrix.py).

Public: the help finder and published offers. Anbieter edit and report for their own
organisation's offers only; Koordination edits and reviews everything; the shelter overview is for
the professions that place women (Koordination, Fachkraft, Moderation, Anbieter).
"""


def _offer(provider, name, kinds=("frauenhaus",), publish=None):
    from schutznetz.directory import services

    return services.create_offer(
        None,
        provider,
        {
            "name": name,
            "kinds": list(kinds),
            "target_groups": ["frauen"],
            "languages": ["de"],
            "municipality": "soest",
            "phone": "02921 0000",
        },
        publish=publish,
    )


def setup(world):
    from schutznetz.directory import services

    anbieter = world.users["anbieter"]
    own_provider = services.save_provider(
        None, name="Matrix-Träger eigen", organisation=anbieter.organisation
    )
    foreign_provider = services.save_provider(None, name="Matrix-Träger fremd", organisation=world.other_org)
    world.objects["offer"] = _offer(own_provider, "Matrix-Frauenhaus eigen")
    world.objects["foreign_offer"] = _offer(
        foreign_provider, "Matrix-Frauenhaus Fremdangebot-7Q", publish=False
    )
    # A change by the Anbieter waits for review by the coordination.
    offer = world.objects["offer"]
    world.objects["revision"] = services.update_offer(
        anbieter, offer, {**services.offer_data(offer), "phone": "1"}
    )


FOREIGN_MARKER = "Fremdangebot-7Q"
EDITORS = {"koordination", "anbieter"}

EXPECTATIONS = {
    "directory:finder": {"allow": "public", "secret": lambda w: FOREIGN_MARKER},
    "directory:easy_language": {"allow": "public"},
    "directory:offer_detail": {
        "allow": "public",
        "kwargs": lambda w: {"hsds_id": w.objects["offer"].hsds_id},
        # the foreign offer is not published (yet): it does not exist for the public
        "foreign_kwargs": lambda w: {"hsds_id": w.objects["foreign_offer"].hsds_id},
        "secret": lambda w: FOREIGN_MARKER,
    },
    "directory:staff_offers": {
        "allow": EDITORS,
        "foreign_allow": {"koordination"},
        "secret": lambda w: FOREIGN_MARKER,
    },
    "directory:staff_offer_create": {"allow": EDITORS},
    "directory:staff_offer_edit": {
        "allow": EDITORS,
        "kwargs": lambda w: {"pk": w.objects["offer"].pk},
        "foreign_kwargs": lambda w: {"pk": w.objects["foreign_offer"].pk},
        "foreign_allow": {"koordination"},
        "secret": lambda w: FOREIGN_MARKER,
    },
    "directory:staff_offer_verify": {
        "allow": EDITORS,
        "kwargs": lambda w: {"pk": w.objects["offer"].pk},
        "foreign_kwargs": lambda w: {"pk": w.objects["foreign_offer"].pk},
        "foreign_allow": {"koordination"},
        "post_only": True,
    },
    "directory:review_list": {"allow": {"koordination"}},
    "directory:review_detail": {
        "allow": {"koordination"},
        "kwargs": lambda w: {"pk": w.objects["revision"].pk},
    },
    "directory:shelter_overview": {
        "allow": {"koordination", "fachkraft", "moderation", "anbieter", "other_org"},
        "foreign_allow": {"koordination", "fachkraft", "moderation", "anbieter", "other_org"},
    },
    "directory:shelter_report": {
        "allow": EDITORS,
        "kwargs": lambda w: {"pk": w.objects["offer"].pk},
        "foreign_kwargs": lambda w: {"pk": w.objects["foreign_offer"].pk},
        "foreign_allow": {"koordination"},
        "secret": lambda w: FOREIGN_MARKER,
    },
    "directory:gaps": {"allow": {"koordination"}},
}

API = {
    "GET /api/v1/offers/": {"allow": "public", "secret": lambda w: FOREIGN_MARKER},
    "GET /api/v1/offers/{hsds_id}/": {
        "allow": "public",
        "kwargs": lambda w: {"hsds_id": w.objects["offer"].hsds_id},
        "foreign_kwargs": lambda w: {"hsds_id": w.objects["foreign_offer"].hsds_id},
        "secret": lambda w: FOREIGN_MARKER,
    },
}
