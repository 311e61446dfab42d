# French sorting (issue #13): see ptce_site/collation.py.

from django.db import migrations, models
from django.db.models.functions import Collate


class Migration(migrations.Migration):
    # After poles.0018, which creates the collation: the older data migrations read calls in
    # their former order, and the new order needs the collation.
    dependencies = [
        ("calls", "0004_truthful_seed"),
        ("poles", "0018_french_sorting"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="application",
            options={
                "ordering": ["call", Collate(models.F("pole__name"), "ptce_fr")],
                "verbose_name": "candidature",
                "verbose_name_plural": "candidatures",
            },
        ),
        migrations.AlterModelOptions(
            name="call",
            options={
                "ordering": ["-year", Collate(models.F("title"), "ptce_fr")],
                "verbose_name": "appel",
                "verbose_name_plural": "appels",
            },
        ),
    ]
