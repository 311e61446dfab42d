"""Every fact of the seed registry comes from a source document (#12).

``POLE_FACTS`` and ``ORGANISATION_FACTS`` (made by ``tests/seed_document_facts.py``) list,
field by field, what the documents in ``shared/seeds`` (and the domain notes,
``shared/DOMAIN.md``, for the kind of the partner networks) give, each fact with the words of
the document that give it. Every non-empty field of every seeded pole and organisation must be
one of these facts, with this value; nothing else may be filled: no status, sector, region,
territory, description, legal form or kind that no document gives. When the documents are
beside the project (as on the development machine), each quoted passage is also looked up in
its document.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from members.models import Organisation
from poles.models import Pole
from ptce_site.seed import FIXTURES_DIR
from tests.seed_document_facts import DOMAIN, SHARED_DIR, Fact, organisation_facts, pole_facts

pytestmark = pytest.mark.django_db


# -- what the seed filled ------------------------------------------------------------------------

# Set by the registry itself, not facts about the pole or organisation.
BOOKKEEPING = {"id", "slug", "is_published", "created_at", "updated_at", "version",
               "content_changed_at"}
NOT_KNOWN = "not_known"  # the value of a status or kind that no document gives
NATURAL_KEYS = {"Region": "code", "Sector": "name", "Objective": "code", "SourceDocument": "key"}


def natural_key(obj) -> object:
    return getattr(obj, NATURAL_KEYS.get(type(obj).__name__, "pk"))


def is_empty(value) -> bool:
    """Nothing said: no value, a blank text, "not known", no related rows, no file (a 0, a
    0.0 or a False is a value: « pôle témoin : non »)."""
    if value is None:
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
