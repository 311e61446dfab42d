from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0001_initial"),
        ("members", "0001_initial"),
        ("poles", "0002_objectives"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The curators' group is kept in sync after every migrate (a post_migrate receiver,
        # ptce_site/curators.py): this step, which once synced it, does nothing now.
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
