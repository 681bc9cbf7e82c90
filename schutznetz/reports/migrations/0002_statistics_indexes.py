"""Indexes for the statistics queries, on the cases app's tables.

The reports app reads the cases tables but must not change the cases app's
models, so an index its queries need is created here (``IF NOT EXISTS``,
named ``reports_*`` so its owner is clear).

What the annual report's queries need already exists in the cases app: every
measure filters one period with a range on an indexed date column
(``Case.created_at``, ``Referral.referred_at``, ``Action.due_date``,
``Conference.date``, all ``db_index=True``) and joins agenda items by their
foreign key. ``benchmarks/statistics.py`` (1,000,000 cases) also tried
covering indexes (``created_at INCLUDE (category, municipality, …)`` and the
same for referrals and actions): with them the report's numbers took
0.8×–1.2× as long as without, i.e. no gain beyond the noise of a shared
machine, for three wide indexes every case write would have to maintain. So
they are not added.

- ``reports_case_org_created`` (``bringing_organisation_id, created_at``): a
  partner's dashboard runs every case measure for its own organisation, i.e.
  ``WHERE bringing_organisation_id = ? AND created_at`` in one period; the
  composite index answers that with one range scan instead of combining the
  foreign-key index and the date index.
"""

from django.db import migrations

INDEXES = [
    ("reports_case_org_created", "cases_case", ["bringing_organisation_id", "created_at"]),
]


def create(apps, schema_editor):
    for name, table, columns in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")


def drop(apps, schema_editor):
    for name, _table, _columns in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
