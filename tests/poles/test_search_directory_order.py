"""The directory's search results in the order of the full-text rank, page after page, as the
FilterSet orders them in SQL (``SearchQuery.order``): names holding every word first, then by
rank, then names in French order. On PostgreSQL the directory reads the poles of each word
from what the process keeps and ranks only what a page reaches (``search/memory.py``); the
tests compare both, on both databases, for a word, two words, a corrected typo and a prefix
of several words, and after writes."""

import pytest
from django.urls import reverse

from poles.models import Pole
from poles.registry.search.indexer import reindex_poles
from poles.registry.search.memory import _groups
from ptce_site.cache import bump_generation
from tests.factories import PoleFactory
from tests.poles.test_directory_sets_property import check_query

pytestmark = pytest.mark.django_db

SUMMARIES = [
    "Une coopérative solidaire.",
    "Économie solidaire et solidarité : une coopération solidaire du territoire.",
    "Un lieu de culture.",
    "Coopératives d'habitants, économie circulaire.",
    "",
]


def make_poles() -> None:
    names = [
        "Pôle solidaire du Val", "pole solidaire du val", "Éclair solidaire", "Eclair",
        "Coopérative Économie solidaire", "Zèbre", "Économie et territoire", "Alpha coopération",
    ]
    for n, name in enumerate(names):
        PoleFactory(
            name=name, slug=f"pole-{n}", summary=SUMMARIES[n % len(SUMMARIES)],
            description="Une économie solidaire." * (n % 3),
        )
    PoleFactory(name="Pôle solidaire caché", slug="cache", is_published=False)


@pytest.mark.parametrize("query", [
    "solidaire", "solidaires", "economie solidaire", "cooperative", "coop", "solidarite",
    "solid economie", "ecomonie", "territoire culture", "de la", "zzzzzz",
])
def test_the_directory_lists_a_search_as_sql_orders_it(query):
    make_poles()
    check_query({"q": query}, counts=False)
    check_query({"q": query, "sort": "relevance"}, counts=False)


def test_the_order_follows_a_write_to_the_registry():
    make_poles()
    check_query({"q": "solidaire"}, counts=False)
    pole = Pole.objects.get(name="Zèbre")
    pole.summary = "Solidaire, solidaire, solidaire."
    pole.save()
    PoleFactory(name="Nouveau pôle solidaire")
    Pole.objects.filter(name="Alpha coopération").update(is_published=False)
    check_query({"q": "solidaire"}, counts=False)
    check_query({"q": "cooperation"}, counts=False)


def test_a_pole_indexed_after_its_rows_were_written_is_found(client):
    # As an import does: its rows written and the registry's generation moved, the documents
    # written afterwards (``deferred_indexing``), which send no signal of their own.
    make_poles()
    (pole,) = Pole.objects.bulk_create([
        Pole(name="Pôle des Tisserands", slug="tisserands", is_published=True),
    ])
    bump_generation()
    assert names(client, "tisserands") == []
    reindex_poles([pole.pk])
    assert names(client, "tisserands") == ["Pôle des Tisserands"]
    assert names(client, "solidaire tisserands") == []


def names(client, query: str) -> list[str]:
    response = client.get(reverse("poles:pole-list"), {"q": query})
    assert response.status_code == 200
    return [pole.name for pole in response.context["page_obj"].object_list]


@pytest.mark.parametrize(("printed", "groups"), [
    ("'solidair':*", ((("solidair", True),),)),
    ("( 'coursiv':* | 'cour' ) & 'boutaric':*",
     ((("coursiv", True), ("cour", False)), (("boutaric", True),))),
    ("'coursiv':* | 'cour'", ((("coursiv", True), ("cour", False)),)),
    ("'it''s':*", ((("it's", True),),)),
    ("", ()),
    # Anything but words joined by AND and OR is left to SQL.
    ("'a' & 'b' | 'c'", None),
    ("'c' | 'a' & 'b'", None),
    ("( 'a' | ( 'b' & 'c' ) )", None),
    ("'a' <-> 'b'", None),
    ("!'a'", None),
    ("'econom':*A", None),
])
def test_a_query_is_read_as_postgresql_prints_it(printed, groups):
    assert _groups(printed) == groups
