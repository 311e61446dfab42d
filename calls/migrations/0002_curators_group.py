from django.db import migrations

from poles.permissions import sync_curators_group


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
        ("members", "0001_initial"),
        ("poles", "0002_objectives"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_curators_group, migrations.RunPython.noop)]
