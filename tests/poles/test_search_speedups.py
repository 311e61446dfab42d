"""What the directory reads instead of recounting (issue #13's speed): the kinds of each pole's
current members kept by the search indexer, the number of results given by the facets' own
query, and the search's matching poles read once. Each must give exactly what a direct
count of the data gives, after every kind of write."""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse

from members.models import Organisation
from poles.models import Pole
from poles.registry.filters import PoleFilterSet
from poles.registry.search import rebuild_index
from poles.registry.search.models import MemberKind
from tests.factories import (
    ApplicationFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
)
from tests.shared_rows import rows_for_the_group

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")
SME = Organisation.Kind.SME
ESS = Organisation.Kind.ESS_ENTERPRISE


def found(client, query: dict) -> list[str]:
    """The names of the poles the directory lists (one page: the tests make fewer than 20)."""
    response = client.get(DIRECTORY, query)
    assert response.status_code == 200
    names = [pole.name for pole in response.context["page_obj"].object_list]
    assert response.context["page_obj"].paginator.count == len(names)
    return names


def kind_counts(client, query: dict | None = None) -> dict[str, int]:
    counts = client.get(DIRECTORY, query or {}).context["filter"].form.fields["member_kind"]
    return {kind: n for kind, n in counts.widget.counts.items() if n}


def expected_kinds() -> set[tuple[int, str]]:
    """(pole, kind) for each kind among the current members, read from the memberships."""
    return {
        (pole_id, kind)
        for pole_id, kind in Organisation.objects.filter(
            memberships__left_on__isnull=True
        ).values_list("memberships__pole_id", "kind")
    }


def test_a_member_that_leaves_no_longer_gives_its_kind(client):
    pole = PoleFactory(name="Pôle des Coteaux")
    membership = MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    assert found(client, {"member_kind": SME}) == ["Pôle des Coteaux"]
    assert kind_counts(client) == {SME: 1}
    membership.left_on = datetime.date(2024, 6, 30)
    membership.save()
    assert found(client, {"member_kind": SME}) == []
    assert kind_counts(client) == {}


def test_a_member_deleted_no_longer_gives_its_kind(client):
    pole = PoleFactory(name="Pôle des Coteaux")
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=ESS))
    membership = MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    membership.delete()
    assert found(client, {"member_kind": SME}) == []
    assert kind_counts(client) == {ESS: 1}


@pytest.mark.parametrize("update_fields", [None, ["kind"]], ids=["save", "save-kind-only"])
def test_an_organisation_whose_kind_changes_moves_its_poles(client, update_fields):
    organisation = OrganisationFactory(kind=SME)
    for name in ("Pôle A", "Pôle B"):
        MembershipFactory(pole=PoleFactory(name=name), organisation=organisation)
    organisation.kind = ESS
    organisation.save(update_fields=update_fields)
    assert found(client, {"member_kind": SME}) == []
    assert found(client, {"member_kind": ESS}) == ["Pôle A", "Pôle B"]
    assert kind_counts(client) == {ESS: 2}


def test_two_members_of_one_kind_count_the_pole_once_and_one_leaving_keeps_it(client):
    pole = PoleFactory(name="Pôle des Coteaux")
    first = MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    assert kind_counts(client) == {SME: 1}
    first.left_on = datetime.date(2024, 6, 30)
    first.save()
    assert found(client, {"member_kind": SME}) == ["Pôle des Coteaux"]


def test_an_unpublished_pole_leaves_the_counts_and_the_results(client):
    pole = PoleFactory(name="Pôle des Coteaux")
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    MembershipFactory(pole=PoleFactory(name="Pôle voisin"), organisation=OrganisationFactory())
    pole.is_published = False
    pole.save()
    assert found(client, {"member_kind": SME}) == []
    assert kind_counts(client) == {ESS: 1}
    Pole.objects.filter(pk=pole.pk).bump_version(is_published=True)  # the admin's action
    assert found(client, {"member_kind": SME}) == ["Pôle des Coteaux"]


def test_a_deleted_pole_leaves_no_kind_behind():
    pole = PoleFactory()
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=SME))
    pole.delete()
    assert not MemberKind.objects.exists()


def test_the_index_holds_exactly_the_kinds_of_current_members_and_a_rebuild_agrees():
    for n in range(4):
        pole = PoleFactory()
        for kind in (SME, ESS, Organisation.Kind.RESEARCH)[: n + 1]:
            MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=kind))
        MembershipFactory(
            pole=pole,
            organisation=OrganisationFactory(kind=Organisation.Kind.NETWORK),
            left_on=datetime.date(2020, 1, 1),
        )
    kept = set(MemberKind.objects.values_list("pole_id", "kind"))
    assert kept == expected_kinds()
    MemberKind.objects.all().delete()
    rebuild_index()
    assert set(MemberKind.objects.values_list("pole_id", "kind")) == kept


QUERIES = [
    {},
    {"region": "grand-est"},
    {"region": "grand-est", "status": "operational", "witness": "false"},
    {"charter": "true"},
    {"former_region": "alsace"},
    {"former_region": "alsace", "region": "grand-est", "charter": "false"},
    {"former_region": "alsace", "status": "dormant"},
    {"q": "cooperative", "status": "operational"},
    {"q": "cooperative", "member_kind": SME, "former_region": "alsace"},
    {"region": "pas-une-region", "status": "operational"},  # ignored, and said so
]


def write_twelve_poles() -> None:
    """Twelve poles in and out of Grand Est and Alsace, of every status, witnesses or not,
    signatories or not, members of two kinds, some named by an application; one unpublished."""
    east = RegionFactory(name="Grand Est", slug="grand-est")
    alsace = FormerRegionFactory(name="Alsace", slug="alsace", region=east, departments="67 68")
    for n in range(12):
        pole = PoleFactory(
            name=f"{'Coopérative' if n % 2 else 'Pôle'} {n}",
            region=east if n % 3 else None,
            status=[Pole.Status.OPERATIONAL, Pole.Status.DORMANT][n % 2],
            is_witness=n % 4 == 0,
            charter_signed_on=datetime.date(2015, 1, 1) if n % 5 == 0 else None,
            commune_code=["67482", "54395", ""][n % 3],
        )
        MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=[SME, ESS][n % 2]))
        if n % 4 == 1:
            ApplicationFactory(pole=pole, former_region=alsace)  # named, commune elsewhere
    PoleFactory(name="Coopérative cachée", region=east, commune_code="67482", is_published=False)


@pytest.fixture(scope="class")
def twelve_poles(django_db_setup, django_db_blocker):
    """``write_twelve_poles()`` once for a class of tests that change none of its rows."""
    with rows_for_the_group(django_db_blocker, write_twelve_poles):
        yield


@pytest.mark.usefixtures("twelve_poles")
class TestNumberOfResults:
    """The queries are asked of the same twelve poles, written once for the class."""

    @pytest.mark.parametrize("query", QUERIES)
    def test_the_number_of_results_is_the_number_of_poles_listed(self, client, query):
        """The facets' query gives the number of results (the paginator does not count them
        again): it must be the filters' own count."""
        names = found(client, query)
        data = QueryDict(mutable=True)
        data.update(query)
        expected = PoleFilterSet(data, queryset=Pole.objects.published())
        assert sorted(names) == sorted(expected.qs.values_list("name", flat=True))


def test_a_search_matching_no_pole_gives_no_result_and_zero_counts(client):
    PoleFactory(name="Pôle des Coteaux")
    response = client.get(DIRECTORY, {"q": "zzzzzz", "exact": "1"})
    assert response.context["page_obj"].paginator.count == 0
    regions = response.context["filter"].form.fields["region"].widget.counts
    assert not any(regions.values())


def test_a_search_reads_the_index_once_whatever_the_number_of_facets(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PoleFactory(name="Coopérative des Coteaux")
    PoleFactory(name="Coopérative du Val")
    sqlite = connection.vendor == "sqlite"
    index = "poles_search_fts" if sqlite else "poles_searchdocument"
    for number, page in enumerate((1, 1, 2)):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(DIRECTORY, {"q": "cooperative", "page": page})
            assert response.status_code == 200
        reads = [query["sql"] for query in captured if index in query["sql"]]
        if sqlite:
            # Once to find the poles with their rank, then once more for the poles whose name
            # holds the words; the page is ordered from that, not ranked again in SQL.
            assert len(reads) == 2
        else:
            # The words of the index read once for this state of the registry, and the poles
            # of the word ranked once; then nothing, whatever the page.
            assert len(reads) == (2 if number == 0 else 0)
