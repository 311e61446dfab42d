# The kinds of each pole's current members, kept by the search indexer (issue #13: the
# directory's "kind of member" facet and filter without joining every membership).

import django.db.models.deletion
from django.db import migrations, models

# Written out, not imported: a migration keeps doing what it did when it was written. The same
# SQL on PostgreSQL and SQLite.
FILL_SQL = """
INSERT INTO poles_memberkind (pole_id, kind)
SELECT DISTINCT membership.pole_id, organisation.kind
FROM members_membership membership
JOIN members_organisation organisation ON organisation.id = membership.organisation_id
WHERE membership.left_on IS NULL
"""


class Migration(migrations.Migration):

    dependencies = [
        ('poles', '0018_french_sorting'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberKind',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=20, verbose_name='type')),
                ('pole', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='member_kinds', to='poles.pole', verbose_name='pôle')),
            ],
            options={
                'verbose_name': "type de membre d'un pôle",
                'verbose_name_plural': 'types de membres des pôles',
                'indexes': [models.Index(fields=['kind', 'pole'], name='memberkind_kind_pole')],
                'constraints': [models.UniqueConstraint(fields=('pole', 'kind'), name='memberkind_pole_kind_unique')],
            },
        ),
        migrations.RunSQL(FILL_SQL, migrations.RunSQL.noop),
    ]
