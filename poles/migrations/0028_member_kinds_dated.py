# Each pole's kind of current members with the day it ends (the latest departure date of those
# members, none when one has none): the directory's "kind of member" filter and facet stop
# counting it on that day, without any write.

from django.db import migrations, models
from django.utils import timezone

# Written out, not imported: a migration keeps doing what it did when it was written. The same
# SQL on PostgreSQL and SQLite; COUNT(left_on) counts the dated memberships only. Every row is
# written again: those that 0019 or a rebuild made had left out the kinds whose members all
# had a departure date to come.
FILL_SQL = """
INSERT INTO poles_memberkind (pole_id, kind, left_on)
SELECT membership.pole_id, organisation.kind,
       CASE WHEN COUNT(*) = COUNT(membership.left_on) THEN MAX(membership.left_on) END
FROM members_membership membership
JOIN members_organisation organisation ON organisation.id = membership.organisation_id
WHERE membership.left_on IS NULL OR membership.left_on > %s
GROUP BY membership.pole_id, organisation.kind
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    apps.get_model("poles", "MemberKind").objects.using(connection.alias).all().delete()
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL, [today])


def forget_ended(apps, schema_editor):
    """Back to the rows the indexer kept before: the kinds of current members only (without
    their date, a kind whose day has passed would count again)."""
    MemberKind = apps.get_model("poles", "MemberKind")
    MemberKind.objects.using(schema_editor.connection.alias).filter(
        left_on__lte=timezone.localdate()
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('poles', '0027_source_order'),
        ('members', '0006_membership_organisation_pole_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='memberkind',
            name='left_on',
            field=models.DateField(blank=True, null=True, verbose_name='départ le'),
        ),
        migrations.RunPython(fill, forget_ended, elidable=True),
    ]
