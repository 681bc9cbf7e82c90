"""Offers with a protected address keep no position of their own.

Since this release ``services._apply`` gives a protected offer its municipality's centre, or no
position without a municipality (before, such an offer kept the coordinates it had, e.g. from an
import made before it was protected). The finder's radius (``umkreis``, 1–500 km), asked from a
few places, would tell where the house is. This puts the rows saved before into the same state.
"""

from django.db import migrations


def forget_protected_positions(apps, schema_editor):
    Offer = apps.get_model("directory", "Offer")
    protected = Offer.objects.filter(address_protected=True)
    protected.filter(municipality__isnull=True).exclude(latitude=None, longitude=None).update(
        latitude=None, longitude=None
    )
    for offer in protected.filter(municipality__isnull=False).select_related("municipality"):
        centre = (offer.municipality.latitude, offer.municipality.longitude)
        if (offer.latitude, offer.longitude) != centre:
            offer.latitude, offer.longitude = centre
            offer.save(update_fields=["latitude", "longitude"])


class Migration(migrations.Migration):
    dependencies = [("directory", "0007_revision_base")]

    operations = [migrations.RunPython(forget_protected_positions, migrations.RunPython.noop)]
