# French sorting (issue #13): the ``ptce_fr`` collation, the models' orderings through it and
# the indexes the directories' "by name" pages read (see ptce_site/collation.py).
import django.db.models.functions.comparison
from django.db import migrations, models

# Written out, not imported: a migration keeps doing what it did when it was written.
COLLATION = "ptce_fr"
ICU_LOCALE = "fr-u-kn-ka-shifted"


def create_collation(apps, schema_editor):
    # SQLite's collation is registered on each connection (ptce_site.collation), not stored.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE COLLATION IF NOT EXISTS "{COLLATION}" '
            f"(provider = icu, locale = '{ICU_LOCALE}', deterministic = true)"
        )


def drop_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{COLLATION}"')


def french(field):
    return django.db.models.functions.comparison.Collate(models.F(field), COLLATION)


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0017_search_index"),
    ]

    operations = [
        migrations.RunPython(create_collation, drop_collation, elidable=False),
        migrations.AlterModelOptions(
            name="formerregion",
            options={
                "ordering": [french("name")],
                "verbose_name": "ancienne région",
                "verbose_name_plural": "anciennes régions",
            },
        ),
        migrations.AlterModelOptions(
            name="pole",
            options={
                "ordering": [french("name")],
                "verbose_name": "pôle",
                "verbose_name_plural": "pôles",
            },
        ),
        migrations.AlterModelOptions(
            name="region",
            options={
                "ordering": [french("name")],
                "verbose_name": "région",
                "verbose_name_plural": "régions",
            },
        ),
        migrations.AlterModelOptions(
            name="sector",
            options={
                "ordering": [french("name")],
                "verbose_name": "secteur d'activité",
                "verbose_name_plural": "secteurs d'activité",
            },
        ),
        migrations.AlterModelOptions(
            name="sourcedocument",
            options={
                "ordering": ["published_on", french("title")],
                "verbose_name": "document source",
                "verbose_name_plural": "documents sources",
            },
        ),
        migrations.AddIndex(
            model_name="pole",
            index=models.Index(french("name"), name="pole_name_fr"),
        ),
    ]
