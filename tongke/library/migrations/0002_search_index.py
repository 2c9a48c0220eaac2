"""The full-text index of the lesson library's search entries (see tongke/library/search.py).

SQLite: an FTS5 table over ``library_searchentry`` (external content, rowid = resource id),
kept in step by insert/update/delete triggers, then filled from the existing entries.
PostgreSQL: a stored generated column ``search_vector`` (title words with weight A, body words
with weight B; not a model field: Django never reads it) and a GIN index on it. Other vendors:
nothing.

The SQL is frozen here, as a migration should be; ``search.ensure_index_objects`` holds the
same statements (with IF NOT EXISTS) to put back what a later table rebuild drops: on SQLite,
a migration that remakes ``library_searchentry`` drops its triggers, so follow it with
``tongke reindex``.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS library_search_fts USING fts5("
    "title_words, body_words, content='library_searchentry', content_rowid='resource_id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS library_search_fts_insert AFTER INSERT ON library_searchentry "
    "BEGIN INSERT INTO library_search_fts(rowid, title_words, body_words) "
    "VALUES (new.resource_id, new.title_words, new.body_words); END",
    "CREATE TRIGGER IF NOT EXISTS library_search_fts_delete AFTER DELETE ON library_searchentry "
    "BEGIN INSERT INTO library_search_fts(library_search_fts, rowid, title_words, body_words) "
    "VALUES ('delete', old.resource_id, old.title_words, old.body_words); END",
    "CREATE TRIGGER IF NOT EXISTS library_search_fts_update AFTER UPDATE ON library_searchentry "
    "WHEN old.title_words IS NOT new.title_words OR old.body_words IS NOT new.body_words "
    "OR old.resource_id IS NOT new.resource_id BEGIN "
    "INSERT INTO library_search_fts(library_search_fts, rowid, title_words, body_words) "
    "VALUES ('delete', old.resource_id, old.title_words, old.body_words); "
    "INSERT INTO library_search_fts(rowid, title_words, body_words) "
    "VALUES (new.resource_id, new.title_words, new.body_words); END",
    "INSERT INTO library_search_fts(library_search_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS library_search_fts_insert",
    "DROP TRIGGER IF EXISTS library_search_fts_delete",
    "DROP TRIGGER IF EXISTS library_search_fts_update",
    "DROP TABLE IF EXISTS library_search_fts",
]
PG_FORWARD = [
    # A stored column, not an expression index: the planner prices to_tsvector far below its
    # cost, and a sequential scan or a recheck would then segment every row again.
    "ALTER TABLE library_searchentry ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_words), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_words), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS library_searchentry_fts ON library_searchentry "
    "USING gin (search_vector)",
]
PG_REVERSE = [
    "DROP INDEX IF EXISTS library_searchentry_fts",
    "ALTER TABLE library_searchentry DROP COLUMN IF EXISTS search_vector",
]


def _execute(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement, params=None)


def create_index(apps, schema_editor):
    _execute(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": PG_FORWARD})


def drop_index(apps, schema_editor):
    _execute(schema_editor, {"sqlite": SQLITE_REVERSE, "postgresql": PG_REVERSE})


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_lesson_library"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
