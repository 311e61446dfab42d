from django.db import migrations

OBJECTIVE_CODES = [
    "mutualisation",
    "taille-critique",
    "groupes-integres",
    "reprise-relocalisation",
    "distribution-equitable",
    "innovation-sociale",
    "structuration-filiere",
    "visibilite-ess",
]


def create_objectives(apps, schema_editor):
    Objective = apps.get_model("poles", "Objective")
    for position, code in enumerate(OBJECTIVE_CODES, start=1):
        Objective.objects.update_or_create(code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("poles", "0001_initial")]

    operations = [migrations.RunPython(create_objectives, migrations.RunPython.noop)]
