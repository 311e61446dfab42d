# In the chain of #12's migrations: a pole's status may be "not known" (the new default), and the
# databases seeded before #12 lose the facts that no source document gives (fixtures/registry.json
# now holds only what the documents say; tests/test_seed_facts.py checks it).
#
# The correction touches a row only while its value is still the one the old seed invented: a
# value a curator or a pole's leaders changed since is theirs, and is kept. Rows are written with
# ``update()``: their "updated" date stays (nobody changed the content), and no history version is
# added. The tables below are frozen copies of the old seed's values (this migration must not read
# the fixtures, which will keep changing).
from django.db import migrations, models

STATUS_CHOICES = [
    ("in_project", "En projet"),
    ("operational", "Opérationnel"),
    ("dormant", "En sommeil"),
    ("dissolved", "Dissous"),
    ("not_known", "Non renseigné"),
]

# Every seeded pole was "operational"; the documents say so of the eight witness poles only
# (seminar of 28 February 2013: "20 Pôles opérationnels « témoins »"), which keep it.
WITNESS_POLES = [
    "pole-sud-aquitain", "la-coursive-boutaric", "ardaynes", "le-phares", "les-ateliers",
    "lille-metropole-solidaire", "pole-sud-archer", "culture-et-cooperation",
]
STATUS_NOT_GIVEN = [
    "le-damier", "coopaxis", "cis-dt-52", "clu-ster-jura",
    "les-gouttes-d-or-de-la-mode-et-du-design",
    "restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe", "ptce-la-verriere",
    "florange-e2i", "la-serre-le-multiple", "comite-du-bassin-d-emploi-du-pays-d-ancenis",
    "ptce-pays-de-bray-maison-de-l-economie-solidaire",
    "pole-regional-des-musiques-actuelles-de-poitou-charentes", "comite-d-expansion-05",
    "pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles",
    "entrepreneurs-solidaires-du-centre-isere", "entreprendre-en-cooperant",
    "pole-d-economie-solidaire-sud-essonne",
    "pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx",
    "prides-services-a-la-personne", "initiatives-et-cite", "sicoval", "lieu-mutualise-ecossolies",
]
INVENTED_TERRITORIES = {
    "clu-ster-jura": "Jura",
    "ptce-la-verriere": "La Verrière",
    "florange-e2i": "Florange",
    "lille-metropole-solidaire": "Métropole lilloise",
    "comite-du-bassin-d-emploi-du-pays-d-ancenis": "Pays d'Ancenis",
    "ptce-pays-de-bray-maison-de-l-economie-solidaire": "Pays de Bray",
    "pole-regional-des-musiques-actuelles-de-poitou-charentes": "Poitou-Charentes",
    "comite-d-expansion-05": "Hautes-Alpes",
    "pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles": "Alpilles",
    "entrepreneurs-solidaires-du-centre-isere": "Centre Isère",
    "pole-d-economie-solidaire-sud-essonne": "Sud-Essonne",
    "pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx": "Seignanx",
}
# Regions (INSEE codes) inferred for examples of the 2011 call, which names no region.
INVENTED_REGIONS = {
    "pole-d-economie-solidaire-sud-essonne": "11",
    "pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx": "75",
    "prides-services-a-la-personne": "93",
    "sicoval": "76",
}
INVENTED_SECTORS = {
    "les-gouttes-d-or-de-la-mode-et-du-design": {"mode-et-design"},
    "pole-regional-des-musiques-actuelles-de-poitou-charentes": {"musiques-actuelles"},
    "pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles": {
        "dechets", "environnement",
    },
    "prides-services-a-la-personne": {"services-a-la-personne"},
}
LAUREATE_2013 = "Lauréat de l'appel à projets interministériel PTCE de 2013 ({region})"
SUMMARIES = {  # the old summary repeated the invented sectors
    "les-gouttes-d-or-de-la-mode-et-du-design": ("Ile de France", " : mode et design"),
    "pole-regional-des-musiques-actuelles-de-poitou-charentes": (
        "Poitou-Charentes", " : musiques actuelles",
    ),
    "pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles": (
        "Provence Alpes Côte d'Azur", " : déchets, environnement",
    ),
}
EXAMPLES_OF_2011 = [
    "pole-sud-archer", "entreprendre-en-cooperant", "pole-d-economie-solidaire-sud-essonne",
    "pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx",
    "prides-services-a-la-personne", "initiatives-et-cite", "sicoval", "lieu-mutualise-ecossolies",
]
NETWORKS = ["le-labo-de-l-ess", "rtes", "cncres", "coorace", "mes", "ufisc"]
CATERING_MEMBERS = ["appui", "coallia", "marmite-d-afrique", "taf-et-maffe"]
MEMBER_OF_THE_APPROACH = "Membre de la démarche nationale PTCE."
DESCRIPTIONS = {  # old -> what the documents say
    "le-labo-de-l-ess": (
        "Think tank qui anime depuis 2010 la démarche nationale des PTCE.",
        "Think tank de l'économie sociale et solidaire ; il structure depuis 2010 la proposition "
        "des PTCE et anime la démarche nationale.",
    ),
    "rtes": (
        "Réseau de collectivités locales engagées pour l'économie solidaire, membre de la "
        "démarche nationale PTCE.",
        MEMBER_OF_THE_APPROACH,
    ),
    "cncres": (
        "Tête de réseau des chambres régionales de l'ESS, membre de la démarche nationale PTCE.",
        MEMBER_OF_THE_APPROACH,
    ),
    "coorace": (
        "Réseau de l'insertion par l'activité économique, membre de la démarche nationale PTCE.",
        MEMBER_OF_THE_APPROACH,
    ),
    "mes": (
        "Réseau de l'économie solidaire, membre de la démarche nationale PTCE.",
        MEMBER_OF_THE_APPROACH,
    ),
    "ufisc": (
        "Réseau des structures artistiques et culturelles, associé à la charte de la démarche "
        "collective PTCE (2014).",
        "Partenaire de la démarche des PTCE animée par le Labo de l'ESS (2014).",
    ),
}


def replace_if_unchanged(queryset, field, old, new):
    """Set ``field`` to ``new`` on the rows where it still holds the seed's ``old`` value."""
    return queryset.filter(**{field: old}).update(**{field: new})


def correct_poles(apps, schema_editor):
    Pole = apps.get_model("poles", "Pole")
    SourceDocument = apps.get_model("poles", "SourceDocument")
    poles = Pole.objects.all()
    poles.filter(slug__in=STATUS_NOT_GIVEN, status="operational").update(status="not_known")
    for slug, territory in INVENTED_TERRITORIES.items():
        replace_if_unchanged(poles.filter(slug=slug), "territory", territory, "")
    for slug, code in INVENTED_REGIONS.items():
        poles.filter(slug=slug, region__code=code).update(region=None)
    for slug, (region, sectors) in SUMMARIES.items():
        old = LAUREATE_2013.format(region=region) + sectors + "."
        new = LAUREATE_2013.format(region=region) + "."
        replace_if_unchanged(poles.filter(slug=slug), "summary", old, new)
    for pole in poles.filter(slug__in=INVENTED_SECTORS):
        # Only while the pole's sectors are still exactly the seed's.
        if set(pole.sectors.values_list("slug", flat=True)) == INVENTED_SECTORS[pole.slug]:
            pole.sectors.clear()
    seminar = SourceDocument.objects.filter(key="communique-seminaire-2013").first()
    if seminar is not None:  # the source of the witness poles' "operational"
        for pole in poles.filter(slug__in=WITNESS_POLES, status="operational"):
            pole.sources.add(seminar)


def cite_the_2011_examples(apps, schema_editor):
    """The 2011 call's "cahiers d'espérance" examples become its cited examples."""
    Pole = apps.get_model("poles", "Pole")
    Call = apps.get_model("calls", "Call")
    Application = apps.get_model("calls", "Application")
    call = Call.objects.filter(slug="appel-a-candidature-2011").first()
    if call is None:
        return
    for pole in Pole.objects.filter(slug__in=EXAMPLES_OF_2011):
        Application.objects.get_or_create(
            call=call, pole=pole, defaults={"outcome": "cited_as_example"}
        )


def correct_organisations(apps, schema_editor):
    Organisation = apps.get_model("members", "Organisation")
    organisations = Organisation.objects.all()
    replace_if_unchanged(
        organisations.filter(slug__in=[*NETWORKS, "coallia"]), "legal_form", "association", ""
    )
    catering = organisations.filter(slug__in=CATERING_MEMBERS)
    replace_if_unchanged(catering, "kind", "ess", "not_known")
    catering.filter(region__code="11").update(region=None)
    for slug, (old, new) in DESCRIPTIONS.items():
        replace_if_unchanged(organisations.filter(slug=slug), "description", old, new)


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0014_proposal"),
        ("calls", "0004_truthful_seed"),
        ("members", "0004_organisation_kind_not_known"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalpole",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES, default="not_known", max_length=20, verbose_name="statut"
            ),
        ),
        migrations.AlterField(
            model_name="pole",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES, default="not_known", max_length=20, verbose_name="statut"
            ),
        ),
        migrations.RunPython(correct_poles, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(cite_the_2011_examples, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(correct_organisations, migrations.RunPython.noop, elidable=True),
    ]
