# French sorting (issue #13): see ptce_site/collation.py. After poles.0018, which creates
# the collation that the orderings and the index use.

from django.db import migrations, models
from django.db.models.functions import Collate


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_organisation_kind_not_known"),
        ("poles", "0018_french_sorting"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": [
                    Collate(models.F("pole__name"), "ptce_fr"),
                    Collate(models.F("organisation__name"), "ptce_fr"),
                ],
                "verbose_name": "adhésion",
                "verbose_name_plural": "adhésions",
            },
        ),
        migrations.AlterModelOptions(
            name="organisation",
            options={
                "ordering": [Collate(models.F("name"), "ptce_fr")],
                "verbose_name": "organisation",
                "verbose_name_plural": "organisations",
            },
        ),
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(Collate(models.F("name"), "ptce_fr"), name="organisation_name_fr"),
        ),
    ]
