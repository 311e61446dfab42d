import django.core.validators
from django.db import migrations, models


def set_years(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    for call in Call.objects.all():
        dated = call.launched_on or call.closes_on or call.results_on
        call.year = dated.year if dated else 2013
        call.save(update_fields=["year"])


class Migration(migrations.Migration):
    dependencies = [("calls", "0002_curators_group")]

    operations = [
        migrations.AddField(
            model_name="call",
            name="year",
            field=models.PositiveSmallIntegerField(
                default=2013,
                help_text="L'année qui nomme l'appel (par exemple 2013 pour l'appel à projets de 2013).",
                validators=[
                    django.core.validators.MinValueValidator(2000),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="année",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(set_years, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="call",
            options={"ordering": ["-year", "title"], "verbose_name": "appel", "verbose_name_plural": "appels"},
        ),
    ]
