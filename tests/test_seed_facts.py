"""Every fact of the seed registry comes from a source document (#12).

``POLES`` and ``ORGANISATIONS`` below list, field by field, what the documents in
``shared/seeds`` (and the domain notes, ``shared/DOMAIN.md``, for the kind of the partner
networks) give, each fact with the words of the document that give it. Every non-empty field of
every seeded pole and organisation must be one of these facts, with this value; nothing else may
be filled: no status, sector, region, territory, description, legal form or kind that no
document gives. When the documents are beside the project (as on the development machine), each
quoted passage is also looked up in its document.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from members.models import Organisation
from poles.models import Pole
from ptce_site.seed import FIXTURES_DIR

pytestmark = pytest.mark.django_db

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
    if witness:  # the seminar says the witness poles are operational; nothing says it of others
        facts["is_witness"] = fact(True, said, (ANNOUNCEMENT, "8 pôles témoins"))
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


# -- what the seed filled ------------------------------------------------------------------------

# Set by the registry itself, not facts about the pole or organisation.
BOOKKEEPING = {"id", "slug", "is_published", "created_at", "updated_at", "version",
               "content_changed_at"}
NOT_KNOWN = "not_known"  # the value of a status or kind that no document gives
NATURAL_KEYS = {"Region": "code", "Sector": "name", "Objective": "code", "SourceDocument": "key"}


def natural_key(obj) -> object:
    return getattr(obj, NATURAL_KEYS.get(type(obj).__name__, "pk"))


def is_empty(value) -> bool:
    """Nothing said: no value, a blank text, "not known", no related rows, no file (a 0 or a
    0.0 is a value)."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value in ("", NOT_KNOWN)
    if isinstance(value, set):
        return not value
    return hasattr(value, "storage") and not value  # an empty FileField


def filled_fields(obj) -> dict[str, object]:
    """The fields of ``obj`` that hold something (its many-to-many fields as sets)."""
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in BOOKKEEPING:
            continue
        value = getattr(obj, field.name)
        values[field.name] = natural_key(value) if field.is_relation and value else value
    for field in obj._meta.many_to_many:
        values[field.name] = {natural_key(related) for related in getattr(obj, field.name).all()}
    return {name: value for name, value in values.items() if not is_empty(value)}


def pole_filled_fields(pole: Pole) -> dict[str, object]:
    values = filled_fields(pole)
    values.pop("sources", None)  # checked apart: the documents of the facts
    values["memberships"] = {
        (m.organisation.slug, m.role) for m in pole.memberships.select_related("organisation")
    }
    values["applications"] = {
        (a.call.slug, a.outcome, a.former_region.code if a.former_region else None,
         a.region_name_then)
        for a in pole.applications.select_related("call", "former_region")
    }
    return {name: value for name, value in values.items() if not is_empty(value)}


def sources_of(facts: dict[str, Fact]) -> set[str]:
    return {source for f in facts.values() for source, _words in f.evidence} - {DOMAIN}


POLE_FACTS = pole_facts()
ORGANISATION_FACTS = organisation_facts()


# -- the tests -----------------------------------------------------------------------------------


def test_the_seed_holds_the_poles_and_organisations_of_the_documents_and_no_other(seeded):
    assert set(Pole.objects.values_list("slug", flat=True)) == set(POLE_FACTS)
    assert set(Organisation.objects.values_list("slug", flat=True)) == set(ORGANISATION_FACTS)
    assert len(POLE_FACTS) == 23 + 7  # the 23 laureates and 7 more examples of 2011


@pytest.mark.parametrize("slug", sorted(POLE_FACTS))
def test_every_filled_field_of_a_seeded_pole_is_a_fact_of_the_documents(seeded, slug):
    pole = Pole.objects.get(slug=slug)
    facts = POLE_FACTS[slug]
    assert pole_filled_fields(pole) == {name: f.value for name, f in facts.items()}
    assert set(pole.sources.values_list("key", flat=True)) == sources_of(facts)


@pytest.mark.parametrize("slug", sorted(ORGANISATION_FACTS))
def test_every_filled_field_of_a_seeded_organisation_is_a_fact_of_the_documents(seeded, slug):
    organisation = Organisation.objects.get(slug=slug)
    facts = ORGANISATION_FACTS[slug]
    assert filled_fields(organisation) == {name: f.value for name, f in facts.items()}


def test_no_status_is_inferred(seeded):
    statuses = Counter(Pole.objects.values_list("status", flat=True))
    # The 8 witness poles, "opérationnels" in 2013; no document gives the others' status.
    assert statuses == {Pole.Status.OPERATIONAL: 8, Pole.Status.NOT_KNOWN: 22}


def normalised(text: str) -> str:
    """Whitespace and apostrophes as the quotes above write them."""
    return " ".join(text.replace("\u2019", "'").replace("\\*", "").split())


def documents() -> dict[str, str]:
    registry = json.loads((FIXTURES_DIR / "registry.json").read_text(encoding="utf-8"))
    paths = {item["key"]: SHARED_DIR / "seeds" / item["filename"] for item in registry["sources"]}
    paths[DOMAIN] = SHARED_DIR / DOMAIN
    if not all(Path(path).is_file() for path in paths.values()):
        pytest.skip("the source documents are not beside the project here")
    return {key: normalised(path.read_text(encoding="utf-8")) for key, path in paths.items()}


def test_each_fact_quotes_words_its_document_holds():
    texts = documents()
    missing = [
        (source, words)
        for facts in [*POLE_FACTS.values(), *ORGANISATION_FACTS.values()]
        for f in facts.values()
        for source, words in f.evidence
        if normalised(words) not in texts[source]
    ]
    assert missing == []


def test_the_seed_fixture_holds_no_sector_the_announcement_does_not_list():
    registry = json.loads((FIXTURES_DIR / "registry.json").read_text(encoding="utf-8"))
    names = {item["slug"]: item["name"] for item in registry["sectors"]}
    used = {slug for pole in registry["poles"] for slug in pole["sectors"]}
    listed = set().union(*(f["sectors"].value for f in POLE_FACTS.values() if "sectors" in f))
    assert {names[slug] for slug in used} == listed
    assert set(names) == used  # no sector kept for nothing ("Mode et design" was invented)


def test_a_pole_says_its_status_is_not_known_and_cards_do_not_flag_it(client, seeded):
    page = client.get("/poles/coopaxis/").content.decode()
    assert "Statut\xa0: Non renseigné" in page
    assert "Statut\xa0: Opérationnel" in client.get("/poles/ardaynes/").content.decode()
    Pole.objects.filter(slug="sicoval").bump_version(status=Pole.Status.DORMANT)
    dormant = client.get("/poles/", {"q": "sicoval"}).content.decode()
    assert '<li class="badge">En sommeil</li>' in dormant  # a known status stands out
    not_known = client.get("/poles/", {"q": "coopaxis"}).content.decode()
    assert "/poles/coopaxis/" in not_known and "Non renseigné</li>" not in not_known


def test_a_new_pole_has_no_status_until_someone_gives_it():
    assert Pole().status == Pole.Status.NOT_KNOWN
