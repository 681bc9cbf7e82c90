"""PostgreSQL only: pg_trgm and the indexes behind the help finder's search.

* a trigram GIN index on ``search_text`` serves the substring (LIKE) matching,
* a GIN index on ``to_tsvector('german', search_text)`` serves German full-text search,
* a trigram GIN index on ``service_area`` lets the place filter use indexes (BitmapOr),
* a trigram GIN index on ``SearchWord.word`` serves typo-tolerant look-ups.
On SQLite nothing is done: the search there uses plain LIKE and difflib.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_offer_search_trgm ON directory_offer USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_offer_search_fts ON directory_offer USING gin (to_tsvector('german', search_text))",
    "CREATE INDEX IF NOT EXISTS directory_offer_area_trgm ON directory_offer USING gin (service_area gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_searchword_trgm ON directory_searchword USING gin (word gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_searchword_trgm",
    "DROP INDEX IF EXISTS directory_offer_area_trgm",
    "DROP INDEX IF EXISTS directory_offer_search_fts",
    "DROP INDEX IF EXISTS directory_offer_search_trgm",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
