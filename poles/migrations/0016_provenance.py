"""``Pole.content_changed_at``: when a person last changed what the pole's page shows.

A pole's "mis à jour" date used to be ``updated_at``, which every save moves (the seed load,
publishing). The new field is set only by people's edits (``poles/registry/provenance.py``).
Poles that exist already take it from their history: the latest version saved by an account
(staff or leader) that changed one of the page's fields; versions saved without an account
(the seed load) do not count. The field list is a copy of the one in ``provenance.py`` when
this was written: a migration keeps what it ran.
"""

from django.db import migrations, models

CONTENT_FIELDS = (
    "name", "summary", "description", "status", "is_witness", "founded_year", "territory",
    "commune_code", "commune_name", "region_id", "latitude", "longitude", "website", "logo",
    "contact_email", "contact_phone", "charter_signed_on",
)


def backfill(apps, schema_editor):
    Pole = apps.get_model("poles", "Pole")
    HistoricalPole = apps.get_model("poles", "HistoricalPole")
    previous: dict[int, tuple] = {}
    changed_at: dict[int, object] = {}
    rows = HistoricalPole.objects.order_by("id", "history_date", "history_id").values_list(
        "id", "history_date", "history_user_id", *CONTENT_FIELDS
    )
    for pole_id, when, user_id, *values in rows.iterator(chunk_size=2000):
        before = previous.get(pole_id)
        if user_id is not None and tuple(values) != before:
            changed_at[pole_id] = when
        previous[pole_id] = tuple(values)
    for pole_id, when in changed_at.items():
        Pole.objects.filter(pk=pole_id).update(content_changed_at=when)


class Migration(migrations.Migration):
    dependencies = [("poles", "0015_truthful_seed")]

    operations = [
        migrations.AddField(
            model_name="pole",
            name="content_changed_at",
            field=models.DateTimeField(
                editable=False, null=True, verbose_name="contenu modifié le"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
