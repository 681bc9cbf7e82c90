"""Kreis Soest ships as the default region (data/kreis-soest-municipalities.csv)."""

from django.db import migrations


def load(apps, schema_editor):
    from schutznetz.directory.regions import (
        DEFAULT_REGION_FILE,
        DEFAULT_REGION_NAME,
        parse_region_csv,
        region_slug,
    )

    Municipality = apps.get_model("directory", "Municipality")
    if Municipality.objects.exists():
        return
    rows = parse_region_csv(DEFAULT_REGION_FILE.read_text(encoding="utf-8"))
    Municipality.objects.bulk_create(
        Municipality(
            region=DEFAULT_REGION_NAME,
            name=row.name,
            slug=region_slug(row.name),
            kind=row.kind,
            population=row.population,
            women_share=row.women_share,
            latitude=row.lat,
            longitude=row.lon,
            postcodes=row.postcodes,
        )
        for row in rows
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_indexes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
