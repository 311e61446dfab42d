"""Every seeded event of the chronology is a fact of the documents (#15).

``EVENTS`` lists, event by event, the fields the documents give, each with the words of the
document (and of the project's notes, ``shared/DOMAIN.md``) that give it. A seeded event holds
these values and no other: no place, figure or organiser that no document gives (the 1st
national day has no place nor attendance), and its sources are the documents quoted.
"""

from __future__ import annotations

import datetime

import pytest

from poles.models import Event
from tests.seed_document_facts import CALL_2011, DOMAIN, NATIONAL_DAY, SEMINAR, fact
from tests.test_seed_facts import documents, normalised

pytestmark = pytest.mark.django_db

WIKI = "solecopedia-ptce"
D = datetime.date

EVENTS = {
    "2009-etats-generaux-ess": {
        "kind": fact("other", (WIKI, "Proposés en 2009, notamment lors des Etats généraux")),
        "start_date": fact(
            D(2009, 1, 1), (DOMAIN, "2009: PTCE proposed (États généraux de l'ESS)")
        ),
        "date_precision": fact("year", (WIKI, "Proposés en 2009")),
    },
    "2010-le-labo-structure-la-proposition": {
        "kind": fact("other", (SEMINAR, "Le Labo de l'ESS a structuré depuis 2010")),
        "start_date": fact(
            D(2010, 1, 1), (DOMAIN, "2010: Le Labo de l'ESS structures the proposal")
        ),
        "date_precision": fact("year", (SEMINAR, "structuré depuis 2010 la proposition")),
        "organisers": fact({"le-labo-de-l-ess"}, (SEMINAR, "Le Labo de l'ESS a structuré")),
    },
    "2011-02-note-premiers-elements": {
        "kind": fact(
            "study", (CALL_2011, "« Premiers éléments caractérisant les PTCE », février 2011")
        ),
        "start_date": fact(D(2011, 2, 1), (DOMAIN, "Feb 2011: working-group note")),
        "date_precision": fact("month", (CALL_2011, "février 2011")),
        "organisers": fact({"le-labo-de-l-ess"}, (CALL_2011, "Note du groupe de travail Labo ESS")),
    },
    "2012-06-25-1re-journee-nationale": {
        "kind": fact(
            "national_day", (NATIONAL_DAY, "La 1ère Journée PTCE qui s'est tenue le 25 juin 2012")
        ),
        "start_date": fact(
            D(2012, 6, 25),
            (WIKI, "le 25 juin 2012"),
            (DOMAIN, "25 Jun 2012: 1st Journée nationale des PTCE"),
        ),
        "date_precision": fact("day", (WIKI, "le 25 juin 2012")),
    },
    "2013-02-28-3e-seminaire-de-travail": {
        "kind": fact("seminar", (SEMINAR, "Le 3ème séminaire de travail des Pôles Territoriaux")),
        "start_date": fact(
            D(2013, 2, 28),
            (SEMINAR, "s'est tenu le 28 février 2013"),
            (WIKI, "un séminaire le 28 février 2013 à Paris"),
        ),
        "date_precision": fact("day", (DOMAIN, "28 Feb 2013: 3rd working seminar")),
        "place": fact(
            "Maison des Associations de Solidarité, Paris 13e",
            (
                SEMINAR,
                "à la Maison des Associations de Solidarité à Paris dans le 13ème arrondissement",
            ),
            (DOMAIN, "Maison des Associations de Solidarité, Paris 13e"),
        ),
        "participants": fact(
            70,
            (SEMINAR, "Ce séminaire a rassemblé 70 représentants"),
            (DOMAIN, "70 representatives"),
        ),
        "poles_represented": fact(
            20,
            (SEMINAR, "70 représentants de 20 Pôles opérationnels « témoins »"),
            (DOMAIN, "20 operational witness poles"),
        ),
        "regions_concerned": fact(
            16,
            (SEMINAR, "Actuellement 16 régions sont concernées"),
            (DOMAIN, "16 regions concerned"),
        ),
    },
    "2013-04-05-ive-assises-locales-ess": {
        "kind": fact(
            "other",
            (WIKI, "IVe Assises Locales de l'Economie sociale et solidaire du 5 avril 2013"),
        ),
        "start_date": fact(D(2013, 4, 5), (DOMAIN, "5 Apr 2013: IVe Assises locales de l'ESS")),
        "date_precision": fact("day", (WIKI, "du 5 avril 2013")),
    },
    "2013-05-etude-rtes-collectivites": {
        "kind": fact("study", (WIKI, "le RTES a engagé une étude sur le rôle des collectivités")),
        "start_date": fact(
            D(2013, 5, 1), (DOMAIN, "May 2013: RTES study on the role of local authorities")
        ),
        "date_precision": fact("month", (WIKI, "Fin mai 2013")),
        "organisers": fact({"rtes"}, (WIKI, "le RTES a engagé une étude")),
    },
    "2013-appel-a-projets-interministeriel": {
        "kind": fact(
            "call_milestone",
            (NATIONAL_DAY, "En 2013, un 1er appel à projets interministériel était lancé"),
        ),
        "start_date": fact(D(2013, 1, 1), (DOMAIN, "2013 interministerial call for projects")),
        "date_precision": fact("year", (NATIONAL_DAY, "En 2013, un 1er appel à projets")),
    },
    "2014-07-21-loi-ess": {
        "kind": fact(
            "law", (NATIONAL_DAY, "l'adoption de la loi relative à l'ESS, le 21 juillet dernier")
        ),
        "start_date": fact(
            D(2014, 7, 21), (DOMAIN, "21 Jul 2014: ESS law adopted (article 9 on PTCE)")
        ),
        "date_precision": fact("day", (NATIONAL_DAY, "le 21 juillet dernier")),
    },
    "2014-09-19-2e-journee-nationale": {
        "kind": fact("national_day", (NATIONAL_DAY, "la 2e Journée Nationale des PTCE")),
        "start_date": fact(
            D(2014, 9, 19),
            (NATIONAL_DAY, "Date : Vendredi 19 septembre 2014"),
            (DOMAIN, "19 Sep 2014: 2nd Journée nationale"),
        ),
        "date_precision": fact("day", (NATIONAL_DAY, "Vendredi 19 septembre 2014")),
        "place": fact(
            "Ministère de l'Économie et des Finances, salle Pierre Mendès France, "
            "139 rue de Bercy, 75012 Paris",
            (
                NATIONAL_DAY,
                "Lieu : Ministère de l'Economie et des Finances - Salle Pierre Mendès France",
            ),
            (NATIONAL_DAY, "139, rue de Bercy 75012 PARIS"),
        ),
        "participants": fact(
            300, (NATIONAL_DAY, "accueillera plus de 300 personnes"), (DOMAIN, "300+ people")
        ),
        "participants_is_lower_bound": fact(True, (NATIONAL_DAY, "plus de 300 personnes")),
    },
}
# The sources of each event: the documents that tell it (DOMAIN.md is the project's notes).
SOURCES = {
    "2009-etats-generaux-ess": {WIKI},
    "2010-le-labo-structure-la-proposition": {SEMINAR},
    "2011-02-note-premiers-elements": {CALL_2011},
    "2012-06-25-1re-journee-nationale": {WIKI, NATIONAL_DAY},
    "2013-02-28-3e-seminaire-de-travail": {SEMINAR, WIKI},
    "2013-04-05-ive-assises-locales-ess": {WIKI},
    "2013-05-etude-rtes-collectivites": {WIKI},
    "2013-appel-a-projets-interministeriel": {NATIONAL_DAY},
    "2014-07-21-loi-ess": {NATIONAL_DAY},
    "2014-09-19-2e-journee-nationale": {NATIONAL_DAY},
}
# Fields that every event has (its identity), or that say nothing when left at their default.
NOT_FACTS = {"id", "title", "slug", "description", "created_at", "updated_at"}
# The French and English columns of the texts (``poles/translation.py``): the French ones
# hold the same text as ``title``, ``description`` and ``place``, the English the titles only.
NOT_FACTS |= {f"{name}_{language}" for name in ("title", "description", "place")
              for language in ("fr", "en")}


def filled(event: Event) -> dict:
    values = {
        field.name: getattr(event, field.name)
        for field in Event._meta.concrete_fields
        if field.name not in NOT_FACTS
    }
    values["organisers"] = set(event.organisers.values_list("slug", flat=True))
    values["poles"] = set(event.poles.values_list("slug", flat=True))
    return {name: value for name, value in values.items() if value not in (None, "", False, set())}


def test_the_seed_holds_the_events_of_the_documents_and_no_other(seeded):
    assert set(Event.objects.values_list("slug", flat=True)) == set(EVENTS)


@pytest.mark.parametrize("slug", sorted(EVENTS))
def test_every_filled_field_of_a_seeded_event_is_a_fact_of_the_documents(seeded, slug):
    event = Event.objects.get(slug=slug)
    assert filled(event) == {name: f.value for name, f in EVENTS[slug].items()}
    assert set(event.sources.values_list("key", flat=True)) == SOURCES[slug]


def test_the_first_national_day_has_no_place_nor_attendance(seeded):
    day = Event.objects.get(slug="2012-06-25-1re-journee-nationale")
    assert (day.place, day.participants, day.poles_represented) == ("", None, None)


def test_each_event_fact_quotes_words_its_document_holds():
    texts = documents()
    missing = [
        (source, words)
        for facts in EVENTS.values()
        for f in facts.values()
        for source, words in f.evidence
        if normalised(words) not in texts[source]
    ]
    assert missing == []
