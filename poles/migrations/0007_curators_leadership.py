from django.db import migrations


class Migration(migrations.Migration):
    """The curators manage invitations and claim requests, and unlock locked-out logins."""

    dependencies = [
        ("poles", "0006_leadership_history_logo"),
        ("members", "0002_history_created_by"),
        ("calls", "0003_call_year"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        # The curators' group is kept in sync after every migrate (a post_migrate receiver,
        # ptce_site/curators.py): this step, which once synced it, does nothing now.
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
