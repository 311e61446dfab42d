# « Pôle témoin » gets a third state, "not known" (None, the new default). Its False meant
# "nobody recorded it" as well as "no": every pole the documents do not call a witness was
# shown as not one. A False stays only where it is stated:
#
# - by the source: the announcement of the 2013 call's 23 laureates marks its 8 witness poles,
#   so it says "no" of the other 15 (``SAID_NO``, the seed's poles by the identifier they have
#   or had: a frozen copy, as 0015_truthful_seed keeps its own, since this migration must not
#   read the fixtures);
# - by a person: a version of the pole's history, made by an account or by code run by the
#   team (an author, or a change reason: ``provenance.origin_of``), that turned a True into
#   False, and the versions after it that kept that False. A pole created unticked said
#   nothing (the box's default), nor did a blank cell of an import, which read as "non": both
#   become "not known".
#
# The history's versions are corrected by the same rule, so that a revert in the admin does
# not bring back a "no" that nobody stated and the page's provenance compares like with like.
# Rows are written with ``update()``: no new version, no change of the « mis à jour » date.
# Backwards, "not known" becomes False again.
from django.db import migrations, models

SAID_NO = [
    "le-damier", "coopaxis", "cis-dt-52", "clu-ster-jura",
    "les-gouttes-d-or-de-la-mode-et-du-design",
    "restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe", "ptce-la-verriere",
    "florange-e2i", "la-serre-le-multiple", "comite-du-bassin-d-emploi-du-pays-d-ancenis",
    "ptce-pays-de-bray-maison-de-l-economie-solidaire",
    "pole-regional-des-musiques-actuelles-de-poitou-charentes", "comite-d-expansion-05",
    "pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles",
    "entrepreneurs-solidaires-du-centre-isere",
]
BATCH = 500  # ids per ``IN (…)``, under SQLite's limit of variables


def field():
    return models.BooleanField(
        blank=True,
        choices=[(None, "Non renseigné"), (True, "Oui"), (False, "Non")],
        default=None,
        help_text=(
            "Un des pôles opérationnels « témoins » de la démarche nationale (2011-2012). "
            "« Non renseigné » tant qu'aucune source ni personne ne le dit."
        ),
        null=True,
        verbose_name="pôle témoin",
    )


def stated_by_a_person(versions):
    """From one pole's versions (oldest first: history id, witness, author id, change
    reason), the ids of those whose False a person stated, and whether the last one is."""
    stated, before, last = [], None, False
    for history_id, witness, author, reason in versions:
        by_person = author is not None or bool(reason)
        last = witness is False and (
            (before is True and by_person) or (before is False and last)
        )
        if last:
            stated.append(history_id)
        before = witness
    return stated, last


def forget_unstated_no(apps, schema_editor):
    alias = schema_editor.connection.alias
    poles = apps.get_model("poles", "Pole").objects.using(alias)
    history = apps.get_model("poles", "HistoricalPole").objects.using(alias)
    # By the identifier it has or had (a curator may have given it another: the history
    # keeps the old one), so that the source's "no" follows the pole.
    said_no = set(poles.filter(slug__in=SAID_NO).values_list("pk", flat=True)) | set(
        history.filter(slug__in=SAID_NO).values_list("id", flat=True)
    )
    # Only a pole that was a witness at some time can have been turned into a "no".
    rows = (
        history.filter(id__in=history.filter(is_witness=True).values("id"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_id", "is_witness", "history_user_id", "history_change_reason")
    )
    by_pole = {}
    for pole_id, *version in rows:
        if pole_id not in said_no:
            by_pole.setdefault(pole_id, []).append(version)
    stated_versions, stated_poles = [], []
    for pole_id, versions in by_pole.items():
        stated, last = stated_by_a_person(versions)
        stated_versions += stated
        if last:
            stated_poles.append(pole_id)
    kept = said_no | set(stated_poles)
    poles.filter(is_witness=False).exclude(pk__in=kept).update(is_witness=None)
    history.filter(is_witness=False).exclude(id__in=said_no).update(is_witness=None)
    for start in range(0, len(stated_versions), BATCH):
        history.filter(history_id__in=stated_versions[start:start + BATCH]).update(
            is_witness=False
        )


def not_known_is_false(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model in ("Pole", "HistoricalPole"):
        apps.get_model("poles", model).objects.using(alias).filter(
            is_witness__isnull=True
        ).update(is_witness=False)


class Migration(migrations.Migration):

    dependencies = [
        ("poles", "0028_member_kinds_dated"),
    ]

    operations = [
        migrations.AlterField(model_name="historicalpole", name="is_witness", field=field()),
        migrations.AlterField(model_name="pole", name="is_witness", field=field()),
        migrations.RunPython(forget_unstated_no, not_known_is_false),
    ]
