"""Indexes for the statistics queries, on the cases app's tables.

The reports app reads the cases tables but must not change the cases app's
models, so the indexes its queries need are created here (``IF NOT EXISTS``,
named ``reports_*`` so their owner is clear). On PostgreSQL they are covering
indexes (``INCLUDE``), so the yearly aggregates are index-only scans over one
year's slice instead of heap reads over a million cases; SQLite has no
``INCLUDE`` and gets the same columns as trailing key columns.

- ``reports_case_created_stats``: every case measure filters a period on
  ``created_at`` and groups by category, month, bringing organisation,
  municipality, risk band, repeat flag or sums children: range scan plus the
  grouped columns.
- ``reports_case_org_created``: the same measures for one organisation (a
  partner's dashboard) filter ``bringing_organisation_id`` first.
- ``reports_referral_referred_stats``: time to first contact filters
  ``referred_at`` and reads ``first_contact_at`` (and the receiving
  organisation for the organisation scope).
- ``reports_action_due_stats``: actions on time filter ``due_date`` and count
  by ``status``/``completed_on`` (and ``organisation_id`` for the scope).
"""

from django.db import migrations

INDEXES = [
    ("reports_case_created_stats", "cases_case", ["created_at"],
     ["category", "municipality", "bringing_organisation_id", "risk_band", "is_repeat", "children_count"]),
    ("reports_case_org_created", "cases_case", ["bringing_organisation_id", "created_at"], []),
    ("reports_referral_referred_stats", "cases_referral", ["referred_at"], ["first_contact_at", "to_organisation_id"]),
    ("reports_action_due_stats", "cases_action", ["due_date"], ["status", "completed_on", "organisation_id"]),
]  # fmt: skip


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, keys, included in INDEXES:
        if postgres:
            include = f" INCLUDE ({', '.join(included)})" if included else ""
            sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(keys)}){include}"
        else:
            sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(keys + included)})"
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for name, _table, _keys, _included in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
