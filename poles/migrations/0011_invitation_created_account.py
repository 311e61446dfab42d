from datetime import timedelta

from django.db import migrations, models


def mark_created_accounts(apps, schema_editor):
    """Invitations sent before this field existed: the account was created for the invitation
    when both were made within the same minute (the service creates them together)."""
    Invitation = apps.get_model("poles", "Invitation")
    for invitation in Invitation.objects.select_related("user").iterator():
        user = invitation.user
        made_together = abs(user.date_joined - invitation.created_at) <= timedelta(minutes=1)
        if made_together:
            Invitation.objects.filter(pk=invitation.pk).update(created_account=True)


class Migration(migrations.Migration):

    dependencies = [
        ("poles", "0010_leaders_not_staff"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="created_account",
            field=models.BooleanField(default=False, verbose_name="compte créé pour l'invitation"),
        ),
        migrations.RunPython(mark_created_accounts, migrations.RunPython.noop),
    ]
