"""On PostgreSQL, an index that serves ``path LIKE 'prefix%'`` (subtree queries) whatever the
database collation. SQLite uses the plain unique index and needs nothing more."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgs_orgunit_path_prefix "
            "ON orgs_orgunit (path varchar_pattern_ops);"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgs_orgunit_path_prefix;")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
