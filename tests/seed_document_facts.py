"""The facts of the seed registry, field by field, each with the words of the source document
that give it (``tests/test_seed_facts.py`` checks the seed against them)."""

from __future__ import annotations

from dataclasses import dataclass

from ptce_site.seed import FIXTURES_DIR

ANNOUNCEMENT = "annonce-laureats-2014"  # the 23 laureates of the 2013 call, 10 January 2014
SEMINAR = "communique-seminaire-2013"  # 3rd working seminar, 28 February 2013
CALL_2011 = "appel-candidature-2011"  # « Valoriser et développer les PTCE », October 2011
NATIONAL_DAY = "journee-nationale-2014"  # 2nd national day, 19 September 2014
DOMAIN = "DOMAIN.md"  # the project's notes on the documents (shared/DOMAIN.md)

SHARED_DIR = FIXTURES_DIR.parent.parent / "shared"


@dataclass(frozen=True)
class Fact:
    """A value and the passages of the documents that give it: ``(source, words)`` pairs."""

    value: object
    evidence: tuple[tuple[str, str], ...]


def fact(value, *evidence: tuple[str, str]) -> Fact:
    return Fact(value, evidence)


# -- the poles ---------------------------------------------------------------------------------

# The 2013 laureates as the announcement lists them: slug, name in the registry, the region as
# the announcement names it, its INSEE code then and today (fixtures/regions.json merges the
# former regions), the announcement's words (a witness pole is in bold, « ** »), the sectors in
# the registry's words, and the summary's list of sectors.
LAUREATES = [
    ("pole-sud-aquitain", "Pôle Sud Aquitain", "Aquitaine", "72", "75",
     "**Pôle Sud Aquitain** (formation professionnelle, services aux entreprises et aux "
     "habitants, ...)",
     ("Formation professionnelle", "Services aux entreprises", "Services aux habitants"),
     "formation professionnelle, services aux entreprises, services aux habitants"),
    ("le-damier", "Le Damier", "Auvergne", "83", "84",
     "Le Damier (musiques actuelles, média, image)",
     ("Musiques actuelles", "Médias", "Image"), "musiques actuelles, médias, image"),
    ("la-coursive-boutaric", "La Coursive Boutaric", "Bourgogne", "26", "27",
     "**La Coursive Boutaric** (culture, création, développement local)",
     ("Culture", "Création", "Développement local"), "culture, création, développement local"),
    ("coopaxis", "Coopaxis", "Centre", "24", "24", "Coopaxis (TIC et innovation sociale)",
     ("TIC", "Innovation sociale"), "TIC, innovation sociale"),
    ("ardaynes", "Ardaynes", "Champagne-Ardenne", "21", "44",
     "**Ardaynes** (déchets, bois, écoconstruction, agriculture, SAP)",
     ("Déchets", "Bois", "Écoconstruction", "Agriculture", "Services à la personne"),
     "déchets, bois, écoconstruction, agriculture, services à la personne"),
    ("cis-dt-52", "CIS DT 52", "Champagne-Ardenne", "21", "44",
     "CIS DT 52 (activité industrielle locale, IAE)",
     ("Activité industrielle locale", "Insertion par l'activité économique (IAE)"),
     "activité industrielle locale, insertion par l'activité économique (IAE)"),
    ("clu-ster-jura", "clu'Ster Jura", "Franche-Comté", "43", "27",
     "clu'Ster Jura (développement territorial)",
     ("Développement territorial",), "développement territorial"),
    ("le-phares", "Le PHARES", "Ile de France", "11", "11",
     "**le PHARES** (développement local, insertion professionnelle et environnement)",
     ("Développement local", "Insertion professionnelle", "Environnement"),
     "développement local, insertion professionnelle, environnement"),
    # No sectors: the announcement gives none (the ";" follows the name).
    ("les-gouttes-d-or-de-la-mode-et-du-design", "Les Gouttes d'Or de la mode et du design",
     "Ile de France", "11", "11", "Les Gouttes d'Or de la mode et du design; Appui", (), ""),
    ("restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe",
     "Restauration solidaire — Appui, Coallia, Marmite d'Afrique, Taf et Maffe",
     "Ile de France", "11", "11",
     "Appui, Coallia, Marmite d'Afrique, Taf et Maffe (restauration solidaire)",
     ("Restauration solidaire",), "restauration solidaire"),
    ("ptce-la-verriere", "PTCE La Verrière", "Ile de France", "11", "11",
     "PTCE La Verrière (services liés à la perte d'autonomie)",
     ("Services liés à la perte d'autonomie",), "services liés à la perte d'autonomie"),
    ("florange-e2i", "Florange e2i", "Lorraine", "41", "44",
     "Florange e2i (déchets, économie circulaire, écologie industrielle)",
     ("Déchets", "Économie circulaire", "Écologie industrielle"),
     "déchets, économie circulaire, écologie industrielle"),
    ("la-serre-le-multiple", "La Serre – le Multiple", "Midi-Pyrénées", "73", "76",
     "la Serre-le Multiple (entrepreneuriat social, artisanat)",
     ("Entrepreneuriat social", "Artisanat"), "entrepreneuriat social, artisanat"),
    ("les-ateliers", "Les Ateliers", "Midi-Pyrénées", "73", "76",
     "**les Ateliers** (agriculture, textile, services écologiques, numérique)",
     ("Agriculture", "Textile", "Services écologiques", "Numérique"),
     "agriculture, textile, services écologiques, numérique"),
    ("lille-metropole-solidaire", "Lille Métropôle solidaire", "Nord-Pas de Calais", "31", "32",
     "**Lille Métropôle solidaire** (développement local durable)",
     ("Développement local durable",), "développement local durable"),
    ("comite-du-bassin-d-emploi-du-pays-d-ancenis",
     "Comité du bassin d'emploi du Pays d'Ancenis", "Pays de la Loire", "52", "52",
     "Comité du bassin d'emploi du Pays d'Ancenis (écoconstruction, légumerie conserverie, "
     "écofilières)",
     ("Écoconstruction", "Légumerie et conserverie", "Écofilières"),
     "écoconstruction, légumerie et conserverie, écofilières"),
    ("ptce-pays-de-bray-maison-de-l-economie-solidaire",
     "PTCE Pays de Bray – Maison de l'économie solidaire", "Picardie", "22", "32",
     "PTCE Pays de Bray - Maison de l'économie solidaire (métiers verts et services à la "
     "personne)",
     ("Métiers verts", "Services à la personne"), "métiers verts, services à la personne"),
    # No sectors: the announcement names this pole only.
    ("pole-regional-des-musiques-actuelles-de-poitou-charentes",
     "Pôle régional des Musiques actuelles de Poitou-Charentes", "Poitou-Charentes", "54", "75",
     "Poitou-Charentes : le Pôle régional des Musiques actuelles de Poitou-Charentes Provence",
     (), ""),
    ("comite-d-expansion-05", "Comité d'expansion 05", "Provence Alpes Côte d'Azur", "93", "93",
     "comité d'expansion 05 (écoconstruction)", ("Écoconstruction",), "écoconstruction"),
    # No sectors: the announcement names this pole only.
    ("pole-de-gestion-des-dechets-et-de-developpement-environnemental-des-alpilles",
     "Pôle de gestion des déchets et de développement environnemental des Alpilles",
     "Provence Alpes Côte d'Azur", "93", "93",
     "pôle de gestion des déchets et de développement environnemental des Alpilles Rhône-Alpes",
     (), ""),
    ("pole-sud-archer", "Pôle Sud Archer", "Rhône-Alpes", "82", "84",
     "**Pôle Sud Archer** (activité industrielle locale, insertion par l'activité économique)",
     ("Activité industrielle locale", "Insertion par l'activité économique (IAE)"),
     "activité industrielle locale, insertion par l'activité économique"),
    ("culture-et-cooperation", "Culture et Coopération", "Rhône-Alpes", "82", "84",
     "**Culture et Coopération**;", (), ""),
    ("entrepreneurs-solidaires-du-centre-isere", "Entrepreneurs solidaires du Centre Isère",
     "Rhône-Alpes", "82", "84",
     "entrepreneurs solidaires du Centre Isère (services aux personnes, environnement)",
     ("Services à la personne", "Environnement"), "services à la personne, environnement"),
]

# The examples of "cahiers d'espérance" the 2011 call cites (its footnote 3), as it spells them.
EXAMPLES_2011 = [
    ("pole-sud-archer", "Pôle Sud Archer", "Pôle Sud-Archer"),
    ("entreprendre-en-cooperant", "Entreprendre en coopérant", "Entreprendre en coopérant"),
    ("pole-d-economie-solidaire-sud-essonne", "Pôle d'économie solidaire Sud-Essonne",
     "Pôle d'économie solidaire Sud-Essonne"),
    ("pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx",
     "Pôle de coopération économique, sociale et environnemental de Seignanx",
     "Pôle de coopération économique, sociale et environnemental de Seignanx"),
    ("prides-services-a-la-personne", "PRIDES Services à la personne",
     "PRIDES Services à la personne"),
    ("initiatives-et-cite", "Initiatives et Cité", "Initiatives et Cité"),
    ("sicoval", "SICOVAL", "SICOVAL"),
    ("lieu-mutualise-ecossolies", "Lieu mutualisé Ecossolies",
     "Lieu mutualisé Ecosssolies à Nantes"),
]
LAUREATE = "Lauréat de l'appel à projets interministériel PTCE de 2013 ({region}){sectors}."
WITNESS = " Pôle témoin de la démarche nationale."
EXAMPLE = (
    "Cité en 2011 par l'appel à candidature « Valoriser et développer les PTCE » parmi les "
    "exemples de cahiers d'espérance « Coopérer, mutualiser »."
)
CITED = (CALL_2011, "Exemples de cahiers d'espérance : Pôle Sud-Archer")
WITNESS_OPERATIONAL = (SEMINAR, "70 représentants de 20 Pôles opérationnels « témoins »")


def laureate_facts(slug, name, region, former, current, words, sectors, listed) -> dict:
    said = (ANNOUNCEMENT, words)
    witness = words.startswith("**")
    summary = LAUREATE.format(region=region, sectors=f" : {listed}" if listed else "")
    if witness:
        summary += WITNESS
    if slug == "pole-sud-archer":
        summary = summary[:-1] + ", cité dès 2011 parmi les exemples de cahiers d'espérance."
    facts = {
        "name": fact(name, said),
        "summary": fact(summary, said),
        "region": fact(current, (ANNOUNCEMENT, f"{region} :")),
        "applications": fact(
            {("appel-a-projets-2013", "laureate", former, region)},
            (ANNOUNCEMENT, "23 lauréats"), said,
        ),
    }
    if sectors:
        facts["sectors"] = fact(set(sectors), said)
    # The announcement marks its 8 witness poles (« En rouge : les pôles témoins »): of the
    # 15 others, it says they are not; no document says it of the 2011 call's examples.
    facts["is_witness"] = fact(witness, said, (ANNOUNCEMENT, "8 pôles témoins"),
                               (ANNOUNCEMENT, "En rouge : les pôles témoins"))
    if witness:  # the seminar says the witness poles are operational; nothing says it of others
        facts["status"] = fact("operational", WITNESS_OPERATIONAL, said)
    return facts


def example_facts(name, words) -> dict:
    cited = (CALL_2011, words)
    return {
        "name": fact(name, cited),
        "summary": fact(EXAMPLE, cited, CITED),
        "applications": fact({("appel-a-candidature-2011", "cited_as_example", None, "")}, cited),
    }


def pole_facts() -> dict[str, dict[str, Fact]]:
    poles = {row[0]: laureate_facts(*row) for row in LAUREATES}
    for slug, name, words in EXAMPLES_2011:
        if slug in poles:  # Pôle Sud Archer: a laureate, cited in 2011 too
            cited = poles[slug]["applications"]
            poles[slug]["applications"] = Fact(
                cited.value | {("appel-a-candidature-2011", "cited_as_example", None, "")},
                (*cited.evidence, (CALL_2011, words)),
            )
        else:
            poles[slug] = example_facts(name, words)
    # The call places this one « à Nantes », a commune of Pays de la Loire (52).
    in_nantes = (CALL_2011, "Lieu mutualisé Ecosssolies à Nantes")
    poles["lieu-mutualise-ecossolies"] |= {
        "territory": fact("Nantes", in_nantes),
        "region": fact("52", in_nantes),
    }
    catering = (ANNOUNCEMENT, "Appui, Coallia, Marmite d'Afrique, Taf et Maffe")
    poles["restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe"]["memberships"] = (
        fact({(slug, "member") for slug in CATERING}, catering)
    )
    return poles


# -- the organisations -------------------------------------------------------------------------

CATERING = ["appui", "coallia", "marmite-d-afrique", "taf-et-maffe"]
NETWORK = fact(
    "network", (DOMAIN, 'In the registry these are member organisations of kind "network"')
)
MEMBERS = (ANNOUNCEMENT, "Les membres de la démarche nationale PTCE : le Labo de l'ESS")
MEMBER = "Membre de la démarche nationale PTCE."


def organisation_facts() -> dict[str, dict[str, Fact]]:
    organisations = {
        "le-labo-de-l-ess": {
            "name": fact("Le Labo de l'ESS", (SEMINAR, "Le Labo de l'ESS a structuré")),
            "kind": NETWORK,
            "website": fact("https://www.lelabo-ess.org", (NATIONAL_DAY, "www.lelabo-ess.org")),
            "description": fact(
                "Think tank de l'économie sociale et solidaire ; il structure depuis 2010 la "
                "proposition des PTCE et anime la démarche nationale.",
                (NATIONAL_DAY, "Le LABO de l'ESS est un Think Tank"),
                (SEMINAR, "Le Labo de l'ESS a structuré depuis 2010 la proposition"),
                (ANNOUNCEMENT, "la démarche nationale PTCE, animée par le Labo de l'ESS"),
            ),
        },
        "ufisc": {
            "name": fact("Ufisc", (NATIONAL_DAY, "et l'Ufisc")),
            "kind": NETWORK,
            "description": fact(
                "Partenaire de la démarche des PTCE animée par le Labo de l'ESS (2014).",
                (NATIONAL_DAY, "démarche partenariale animée par le LABO de l'ESS, avec"),
                (NATIONAL_DAY, "et l'Ufisc"),
            ),
        },
        "iris": {
            "name": fact("IRIS", (CALL_2011, "Michel Adam pour IRIS")),
            "kind": NETWORK,
            "description": fact(
                "Membre du groupe de pilotage des PTCE et référent de l'appel à candidature de "
                "2011.",
                (CALL_2011, "Un groupe de pilotage composé notamment du Labo de l'ESS"),
                (CALL_2011, "du RTES, d'IRIS"),
                (CALL_2011, "Michel Adam pour IRIS"),
            ),
        },
    }
    organisations.update(member_networks())
    organisations.update(catering_members())
    return organisations


def member_networks() -> dict[str, dict[str, Fact]]:
    """The networks the announcement lists among the members of the national approach."""
    organisations = {}
    for slug, name, words in [
        ("rtes", "RTES — Réseau des collectivités Territoriales pour une Économie Solidaire",
         "Réseau des collectivités Territoriales pour une Économie Solidaire (RTES)"),
        ("cncres",
         "CNCRES — Conseil National des Chambres Régionales de l'Économie Sociale et Solidaire",
         "Conseil National des Chambres Régionales de l'Economie Sociale et Solidaire (CNCRES)"),
        ("coorace", "COORACE", "le réseau COORACE"),
        ("mes", "MES — Mouvement pour l'Économie Solidaire",
         "Mouvement pour l'Economie Solidaire (MES)"),
    ]:
        said = (ANNOUNCEMENT, words)
        organisations[slug] = {
            "name": fact(name, said),
            "kind": NETWORK,
            "description": fact(MEMBER, MEMBERS, said),
        }
    return organisations


def catering_members() -> dict[str, dict[str, Fact]]:
    """The four members the announcement names for the solidarity catering pole."""
    organisations = {}
    catering = (ANNOUNCEMENT, "Appui, Coallia, Marmite d'Afrique, Taf et Maffe (restauration")
    for slug, name in zip(CATERING, ["Appui", "Coallia", "Marmite d'Afrique", "Taf et Maffe"],
                          strict=True):
        organisations[slug] = {  # no kind, legal form or region: the announcement names them
            "name": fact(name, catering),
            "description": fact(
                "Membre du pôle de restauration solidaire lauréat de l'appel à projets de 2013.",
                catering,
            ),
        }
    return organisations
