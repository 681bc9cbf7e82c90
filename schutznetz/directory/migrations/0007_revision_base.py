"""Remember what an offer looked like when a change was proposed (``OfferRevision.base``).

Pending proposals stored before this migration have no record of that; the best we know is the
offer as it is now, so their base is set to it: Koordination's edits from now on are then kept
when such a proposal is approved (edits before this migration cannot be told apart any more).
"""

from django.db import migrations, models

# A frozen copy of ``services.PLAIN_FIELDS`` / ``CODE_FIELDS`` as they were at this migration.
PLAIN_FIELDS = [
    "name", "description", "status", "anonymous", "free_of_charge", "appointment", "step_free",
    "sign_language", "easy_language", "is_24_7", "phone", "phone_description", "email", "website",
    "address_protected", "street", "postal_code", "city", "serves_everywhere", "opening_hours_text",
    "fees_description", "accessibility_description", "family_places", "latitude", "longitude", "is_fictional",
]  # fmt: skip
CODE_FIELDS = ["kinds", "target_groups", "languages", "service_area"]


def _split(value):
    return [c for c in (value or "").split("|") if c]


def fill_base(apps, schema_editor):
    OfferRevision = apps.get_model("directory", "OfferRevision")
    Schedule = apps.get_model("directory", "Schedule")
    for revision in OfferRevision.objects.filter(status="pending", base__isnull=True).select_related(
        "offer__municipality"
    ):
        offer = revision.offer
        data = {name: getattr(offer, name) for name in PLAIN_FIELDS}
        for name in CODE_FIELDS:
            data[name] = _split(getattr(offer, name))
        data["municipality"] = offer.municipality.slug if offer.municipality_id else ""
        data["schedules"] = [
            [s.weekday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M")]
            for s in Schedule.objects.filter(offer_id=offer.pk).order_by("weekday", "opens_at")
        ]
        revision.base = data
        revision.save(update_fields=["base"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_shelter_reports_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="offerrevision",
            name="base",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_base, migrations.RunPython.noop),
    ]
