from django.db import migrations

from poles.permissions import sync_curators_group


class Migration(migrations.Migration):
    """The curators manage invitations and claim requests, and unlock locked-out logins."""

    dependencies = [
        ("poles", "0006_leadership_history_logo"),
        ("members", "0002_history_created_by"),
        ("calls", "0003_call_year"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_curators_group, migrations.RunPython.noop)]
