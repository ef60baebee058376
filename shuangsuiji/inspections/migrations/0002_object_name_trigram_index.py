"""A trigram index on the object name for the public result search (PostgreSQL only).

The public search finds an entity by a fragment of its name (`name LIKE '%fragment%'`), which no B-tree can answer:
over 1,000,000 objects PostgreSQL read the whole table for every search, ~250–300 ms each (bench/
bench_results_search.py). A GIN index with pg_trgm's operator class answers LIKE '%…%' for fragments of three
characters or more (Chinese characters included: the database's UTF-8 ctype classifies them as letters); a one- or
two-character fragment still reads the table.

SQLite has no pg_trgm and a demo database is small, so the step does nothing there; the index is not part of the model
state, so `makemigrations --check` stays clean on both. CONCURRENTLY would avoid locking the directory while the index
builds on a live database, but cannot run inside a migration's transaction; over 1,000,000 names it builds in well
under a minute.
"""

from django.db import migrations

INDEX = "directory_object_name_trgm_idx"
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON directory_inspectionobject USING gin (name gin_trgm_ops)",
]
DROP = [f"DROP INDEX IF EXISTS {INDEX}"]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_seed_default_risk_classes"),
        ("inspections", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
