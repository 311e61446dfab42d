"""The directory read from the process's bit sets (``facet_sets.py``, ``facets.py``) gives
exactly what ``PoleFilterSet(...).qs`` gives in SQL: the same poles in the same order, page
after page (pages beyond the last included), and every option's count equal to the number of
poles its filter gives, on random small registries (duplicate and accented names, unpublished
poles, poles without region or commune, Corsica, overseas communes, departments listed by two
former regions, former regions named by applications) and random queries."""

import datetime

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.models import Application
from members.models import Membership, Organisation
from poles.models import CharterSignature, Objective, Pole
from poles.registry.facets import FACETS, PoleFacets
from poles.registry.filters import PoleFilterSet
from poles.registry.search.indexer import reindex_poles
from ptce_site.cache import bump_generation
from ptce_site.pagination import paginate
from tests.factories import (
    CallFactory,
    CharterFactory,
    FormerRegionFactory,
    OrganisationFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

NAMES = ["Pôle Été", "pole ete", "Éclair", "Eclair", "Œuvre commune", "zèbre", "Zebre", "Alpha"]
COMMUNES = ["", "08105", "67482", "2A004", "2B033", "97411", "97101", "20000"]
CHANGED = [None, datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
           datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)]
KINDS = [Organisation.Kind.ESS_ENTERPRISE, Organisation.Kind.SME, Organisation.Kind.RESEARCH]
OUTCOMES = [Application.Outcome.LAUREATE, Application.Outcome.NOT_SELECTED]

pole_rows = st.fixed_dictionaries({
    "name": st.sampled_from(NAMES),
    "published": st.booleans(),
    "region": st.sampled_from([None, 0, 1]),
    "commune": st.sampled_from(COMMUNES),
    "status": st.sampled_from(Pole.Status.values),
    "witness": st.sampled_from([True, False, None]),
    "charter": st.booleans(),
    "founded": st.sampled_from([None, 2010, 2015]),
    "changed": st.sampled_from(CHANGED),
    "sectors": st.sets(st.sampled_from([0, 1]), max_size=2),
    "objectives": st.sets(st.sampled_from([0, 1]), max_size=2),
    "members": st.lists(st.tuples(st.sampled_from(KINDS), st.booleans()), max_size=2),
    # (call, outcome, former region named or None)
    "applications": st.dictionaries(
        st.sampled_from([0, 1]),
        st.tuples(st.sampled_from(OUTCOMES), st.sampled_from([None, 0, 1, 2])),
        max_size=2,
    ),
})

WORDS = ["pole", "ete", "eclair", "oeuvre", "zebre", "de", "la", "cooperatif", "xyzzy"]
queries = st.fixed_dictionaries({}, optional={
    "q": st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    "region": st.sampled_from(["nord", "sud", "nulle-part"]),
    "former_region": st.sampled_from(["champagne", "corse-ancienne", "outre-mer", "alsace"]),
    "status": st.sampled_from([*Pole.Status.values, "junk"]),
    "witness": st.sampled_from(["true", "false", "unknown", "peut-etre"]),
    "charter": st.sampled_from(["true", "false"]),
    "sector": st.sampled_from(["secteur-a", "secteur-b"]),
    "objective": st.sampled_from(["mutualisation", "taille-critique"]),
    "member_kind": st.sampled_from(KINDS),
    "call": st.sampled_from(["appel-a", "appel-b", "appel-z"]),
    "outcome": st.sampled_from([*OUTCOMES, "submitted"]),
    "sort": st.sampled_from(["name", "-updated", "founded", "relevance", "junk"]),
    "exact": st.just("1"),
})


def reference_data() -> dict:
    """Regions, former regions, sectors, calls and organisations the poles are drawn from."""
    regions = [RegionFactory(name="Nord", slug="nord"), RegionFactory(name="Sud", slug="sud")]
    # Department 08 listed by two former regions and Corsica's 2A typed « 2a » (a curator's
    # slips): SQL gives both, and the commune codes in 2A.
    former = [
        FormerRegionFactory(name="Champagne", slug="champagne", region=regions[0],
                            departments="08 10"),
        FormerRegionFactory(name="Corse ancienne", slug="corse-ancienne", region=regions[1],
                            departments="2a 2B 08"),
        FormerRegionFactory(name="Outre-mer", slug="outre-mer", region=regions[1],
                            departments="971 974"),
        FormerRegionFactory(name="Alsace", slug="alsace", region=regions[0], departments="67"),
    ]
    return {
        "regions": regions,
        "former": former,
        "sectors": [SectorFactory(name="Secteur A"), SectorFactory(name="Secteur B")],
        "objectives": list(Objective.objects.order_by("pk")[:2]),
        "calls": [CallFactory(title="Appel A"), CallFactory(title="Appel B", year=2015)],
        "organisations": {
            (kind, n): OrganisationFactory(kind=kind) for kind in KINDS for n in range(2)
        },
    }


def build_registry(rows: list[dict], ref: dict | None = None) -> None:
    """The poles of ``rows``, written in bulk, indexed, and the registry's generation moved
    (as the bulk paths of the site do)."""
    ref = ref or reference_data()
    poles = Pole.objects.bulk_create([
        Pole(
            name=row["name"], slug=f"pole-{n}", summary="Un pôle coopératif.",
            is_published=row["published"],
            region=None if row["region"] is None else ref["regions"][row["region"]],
            commune_code=row["commune"], status=row["status"], is_witness=row["witness"],
            founded_year=row["founded"], content_changed_at=row["changed"],
        )
        for n, row in enumerate(rows)
    ])
    sectors, objectives = Pole.sectors.through, Pole.objectives.through
    sectors.objects.bulk_create([
        sectors(pole=pole, sector=ref["sectors"][i])
        for pole, row in zip(poles, rows, strict=True) for i in row["sectors"]
    ])
    objectives.objects.bulk_create([
        objectives(pole=pole, objective=ref["objectives"][i])
        for pole, row in zip(poles, rows, strict=True) for i in row["objectives"]
    ])
    Membership.objects.bulk_create([
        Membership(
            pole=pole, organisation=ref["organisations"][(kind, i)], role=Membership.Role.MEMBER,
            left_on=datetime.date(2020, 1, 1) if left else None,
        )
        for pole, row in zip(poles, rows, strict=True)
        for i, (kind, left) in enumerate(row["members"])
    ])
    Application.objects.bulk_create([
        Application(
            pole=pole, call=ref["calls"][call], outcome=outcome,
            former_region=None if named is None else ref["former"][named],
        )
        for pole, row in zip(poles, rows, strict=True)
        for call, (outcome, named) in row["applications"].items()
    ])
    charter = CharterFactory()
    CharterSignature.objects.bulk_create([
        CharterSignature(charter=charter, pole=pole, signed_on=datetime.date(2016, 1, 1))
        for pole, row in zip(poles, rows, strict=True) if row["charter"]
    ])
    reindex_poles(pole.pk for pole in poles)
    bump_generation()


SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def sql_filterset(params: dict) -> PoleFilterSet:
    data = QueryDict(mutable=True)
    data.update(params)
    return PoleFilterSet(data or None, queryset=Pole.objects.published())


def pages_from_sets(params: dict, per_page: int) -> tuple[list[int], int]:
    """Every page the directory would show (and one beyond the last), from the sets."""
    filterset = sql_filterset(params)
    facets = PoleFacets(filterset)
    shown, number = [], 1
    while True:
        request = RequestFactory().get("/poles/", {**params, "page": number})
        page = paginate(request, facets.results(filterset.queryset.for_cards()), per_page)
        shown += [pole.pk for pole in page.page_obj.object_list]
        if not page.page_obj.has_next():
            beyond = RequestFactory().get("/poles/", {**params, "page": number + 5})
            last = paginate(beyond, facets.results(filterset.queryset), per_page).page_obj
            assert [p.pk for p in last.object_list] == [p.pk for p in page.page_obj.object_list]
            return shown, facets.total
        number += 1


def check_query(params: dict, *, counts: bool = True) -> None:
    expected = list(sql_filterset(params).qs.values_list("pk", flat=True))
    shown, total = pages_from_sets(params, per_page=3)
    assert (shown, total) == (expected, len(expected)), params
    if not counts:
        return
    counts = PoleFacets(sql_filterset(params)).counts()
    for name in FACETS:
        for value, count in counts[name].items():
            linked = sql_filterset({**params, name: value}).qs.count()
            assert count == linked, (params, name, value)


def check_random_registry(ref: dict, rows: list[dict], params: list[dict]) -> None:
    with transaction.atomic():
        build_registry(rows, ref)
        for n, query in enumerate(params):
            # Every option's count for the first query only: a FilterSet per option is slow.
            check_query(query, counts=n == 0)
        transaction.set_rollback(True)


def test_the_directory_from_the_sets_is_the_filtersets_sql():
    ref = reference_data()
    given(rows=st.lists(pole_rows, max_size=8), params=st.lists(queries, min_size=1, max_size=3))(
        SETTINGS(lambda rows, params: check_random_registry(ref, rows, params))
    )()


def test_duplicate_names_are_listed_in_the_same_order_on_every_sort():
    # Equal names (for the French collation too) in different regions: SQL reads the
    # published poles through the (is_published, region) index, not by id.
    build_registry([
        {"name": name, "published": True, "region": region, "commune": "",
         "status": "operational", "witness": False, "charter": False, "founded": None,
         "changed": None, "sectors": set(), "objectives": set(), "members": [],
         "applications": {}}
        for name, region in [("Pôle Été", 1), ("Pôle Été", 0), ("pole ete", None),
                             ("Alpha", 1), ("Alpha", None), ("Alpha", 0)]
    ])
    Pole.objects.filter(name="Alpha").update(content_changed_at=timezone.now())
    for sort in ["name", "-updated", "founded", "relevance"]:
        check_query({"sort": sort, "q": "pole"}, counts=False)
        check_query({"sort": sort}, counts=False)


def test_a_department_of_two_former_regions_and_a_lower_case_one_count_as_in_sql():
    build_registry([
        {"name": f"Pôle {commune}", "published": True, "region": 0, "commune": commune,
         "status": "operational", "witness": False, "charter": False, "founded": None,
         "changed": None, "sectors": set(), "objectives": set(), "members": [],
         "applications": {}}
        for commune in ["08105", "2A004", "97411", ""]
    ])
    counts = PoleFacets(sql_filterset({})).counts()["former_region"]
    assert counts == {"champagne": 1, "corse-ancienne": 2, "outre-mer": 1}
    for former in ["champagne", "corse-ancienne", "outre-mer", "alsace"]:
        check_query({"former_region": former})


HOSTILE = [
    {"q": " ".join(f"mot{n}" for n in range(3000))},  # refused by the form: ignored
    {"q": " ".join(["pole"] * 1500)[:9000]},
    {"q": "pole\x00ete", "sort": "relevance"},
    {"q": "\x00"},
    {"q": "de la", "sort": "relevance"},  # no word searched: relevance falls back to names
    {"sort": "junk\x00", "region": "nord\x00"},
    {"page": "9" * 5000},
    {"page": "-3", "status": "x" * 300},
    {"call": "appel-a", "outcome": "junk"},
    {"former_region": "2a", "member_kind": "%"},
]


def test_hostile_query_strings_give_what_the_filtersets_sql_gives(client):
    build_registry([
        {"name": name, "published": True, "region": 0, "commune": "2A004", "status": "operational",
         "witness": False, "charter": False, "founded": None, "changed": None, "sectors": {0},
         "objectives": set(), "members": [(KINDS[0], False)], "applications": {0: (OUTCOMES[0], 1)}}
        for name in NAMES
    ])
    for params in HOSTILE:
        check_query(params, counts=False)
    for params in HOSTILE[::3]:  # the page itself too
        response = client.get("/poles/", params)
        assert response.status_code == 200
        assert response.context["page_obj"].paginator.count == len(sql_filterset(params).qs)
