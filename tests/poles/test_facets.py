"""Facet counts of the directory: the number beside each filter option is the number of poles
its link gives, options that give none are disabled, in a constant number of queries."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Application, Call
from members.models import Organisation
from poles.models import Objective, Pole
from poles.registry.facets import FACETS
from poles.registry.search.indexer import deferred_indexing
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)
from tests.shared_rows import rows_for_the_group

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")
COUNTED = re.compile(r"^(?P<label>.*) \((?P<count>[\d\s\u202f\xa0]+)\)$")
FOUND = re.compile(r'<p class="results-count"[^>]*>\s*(?P<count>[\d\s\u202f\xa0]+) pôles? trouvés?')


class _Selects(HTMLParser):
    """The options of each select of a page: name → [(value, text, disabled, selected)]."""

    def __init__(self):
        super().__init__()
        self.selects: dict[str, list] = {}
        self.describedby: dict[str, str] = {}
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs["name"]
            self.selects[self._select] = []
            self.describedby[self._select] = attrs.get("aria-describedby", "")
        elif tag == "option" and self._select:
            self._option = [attrs.get("value", ""), "", "disabled" in attrs, "selected" in attrs]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            self.selects[self._select].append(tuple(self._option))
            self._option = None
        elif tag == "select":
            self._select = None


def options(response) -> dict[str, list]:
    parser = _Selects()
    parser.feed(response.content.decode())
    return parser.selects


def shown_count(text: str) -> int:
    match = COUNTED.match(text.strip())
    assert match, f"no count in the option « {text} »"
    return int(re.sub(r"\D", "", match["count"]))


def result_count(client, query: dict, read: dict | None = None) -> int:
    """The number of poles the directory says it found (« 12 pôles trouvés »): read on the
    page, so that the pages may render without the test environment's instrumentation. With
    ``read`` (query → number, kept by tests that share rows nobody changes), a page already
    read is not asked for again."""
    key = tuple(sorted(query.items()))
    if read is not None and key in read:
        return read[key]
    response = client.get(DIRECTORY, query)
    assert response.status_code == 200
    found = FOUND.search(response.content.decode())
    assert found, f"no number of poles found on {DIRECTORY} with {query}"
    count = int(re.sub(r"\D", "", found["count"]))
    if read is not None:
        read[key] = count
    return count


@deferred_indexing()  # the poles indexed once, at the end
def make_registry(count: int) -> dict:
    """``count`` varied poles: every faceted filter has options that give some and none."""
    north = RegionFactory(name="Hauts-de-France", slug="hauts-de-france")
    east = RegionFactory(name="Grand Est", slug="grand-est")
    RegionFactory(name="Corse", slug="corse")  # no pole: its option is disabled
    champagne = FormerRegionFactory(name="Champagne-Ardenne", region=east, departments="08 10")
    alsace = FormerRegionFactory(name="Alsace", region=east, departments="67 68")
    FormerRegionFactory(name="Picardie", region=north, departments="02 60 80")
    food = SectorFactory(name="Alimentation")
    culture = SectorFactory(name="Culture")
    call_2013 = CallFactory(title="Appel 2013")
    call_2015 = CallFactory(title="Appel 2015", year=2015)
    objectives = list(Objective.objects.order_by("pk")[:2])
    statuses = [Pole.Status.OPERATIONAL, Pole.Status.IN_PROJECT, Pole.Status.DORMANT]
    kinds = [Organisation.Kind.ESS_ENTERPRISE, Organisation.Kind.SME, Organisation.Kind.RESEARCH]
    outcomes = [Application.Outcome.LAUREATE, Application.Outcome.NOT_SELECTED]
    for n in range(count):
        pole = PoleFactory(
            name=f"{'Coopérative' if n % 2 else 'Pôle'} numéro {n}",
            region=east if n % 3 else north,
            status=statuses[n % 3],
            is_witness=[True, None, False, None][n % 4],  # yes, not known, no
            charter_signed_on=datetime.date(2015, 1, 1) if n % 5 == 0 else None,
            commune_code=["08105", "67482", "80021", ""][n % 4],
            sectors=[food] if n % 2 else [food, culture],
        )
        pole.objectives.set(objectives[: n % 3])
        MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=kinds[n % 3]))
        if n % 3 == 1:
            # A member that left counts for no kind.
            MembershipFactory(
                pole=pole,
                organisation=OrganisationFactory(kind=Organisation.Kind.NETWORK),
                left_on=datetime.date(2020, 1, 1),
            )
        if n % 2 == 0:
            ApplicationFactory(
                pole=pole,
                call=call_2013,
                outcome=outcomes[n % 4 // 2],
                former_region=[champagne, alsace, None][n % 3],
            )
        if n % 3 == 0:
            ApplicationFactory(pole=pole, call=call_2015, outcome=Application.Outcome.SUBMITTED)
    PoleFactory(name="Pôle non publié", region=north, is_published=False)
    return {"call": call_2013.slug, "outcome": Application.Outcome.LAUREATE}


def check_counts_follow_links(client, query: dict, read: dict | None = None) -> int:
    """Every counted option's number is the number of results of its link; returns how many
    options were checked. ``read``: as for ``result_count``."""
    response = client.get(DIRECTORY, query)
    checked = 0
    for name, choices in options(response).items():
        if name not in FACETS:
            continue
        for value, text, disabled, selected in choices:
            if not value:
                continue
            count = shown_count(text)
            found = result_count(client, {**query, name: value}, read)
            assert count == found, (name, value, query)
            assert disabled == (count == 0 and not selected), (name, value, text)
            checked += 1
    return checked


@pytest.fixture(scope="class")
def twelve_poles(django_db_setup, django_db_blocker):
    """``make_registry(12)`` once for a class of tests that change none of its rows; gives the
    pages they have read, query → number of poles found (``result_count``'s ``read``)."""
    with rows_for_the_group(django_db_blocker, lambda: make_registry(12)):
        yield {}


@pytest.fixture(scope="class")
def six_poles(django_db_setup, django_db_blocker):
    """As ``twelve_poles``, with ``make_registry(6)``."""
    with rows_for_the_group(django_db_blocker, lambda: make_registry(6)):
        yield {}


@pytest.mark.usefixtures("plain_templates")  # the pages' HTML is read, not their context
class TestOptionCounts:
    """The cases read the same twelve poles, written once for the class: a link that two
    cases check is asked for once."""

    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"region": "grand-est"},
            {"q": "cooperative"},
            {"call": "appel-2013", "outcome": "laureate"},
            {"outcome": "not_selected", "sector": "culture", "witness": "true"},
            {"witness": "unknown", "status": "dormant"},
            {"former_region": "champagne-ardenne", "member_kind": "sme", "charter": "false"},
        ],
        ids=["nothing", "region", "search", "call-and-outcome", "three-filters",
             "witness-not-known", "former-region"],
    )
    def test_each_option_shows_the_number_of_poles_its_link_gives(
        self, client, twelve_poles, query
    ):
        assert check_counts_follow_links(client, query, read=twelve_poles) > 30


def test_the_chosen_option_shows_the_current_total(client):
    make_registry(9)
    query = {"region": "grand-est", "status": "operational"}
    response = client.get(DIRECTORY, query)
    total = response.context["page_obj"].paginator.count
    chosen = {
        name: shown_count(text)
        for name, choices in options(response).items()
        for value, text, _disabled, selected in choices
        if selected and value and name != "sort"  # the order shown (« Nom »), not counted
    }
    assert chosen == {"region": total, "status": total}


def test_an_option_without_poles_is_disabled_and_the_form_says_why(client):
    make_registry(6)
    response = client.get(DIRECTORY)
    regions = {value: (text, disabled) for value, text, disabled, _ in options(response)["region"]}
    assert regions["corse"] == ("Corse (0)", True)
    assert regions["grand-est"][1] is False
    assert regions[""] == ("Toutes les régions", False)  # the empty choice: no count
    html = response.content.decode()
    assert 'id="counts-note"' in html
    assert "aucun pôle avec les autres filtres" in html
    parser = _Selects()
    parser.feed(html)
    assert parser.describedby["region"] == "counts-note"


def test_a_chosen_option_is_never_disabled_even_without_results(client):
    make_registry(6)
    response = client.get(DIRECTORY, {"region": "corse"})
    corse = [o for o in options(response)["region"] if o[0] == "corse"][0]
    assert corse == ("corse", "Corse (0)", False, True)


def test_former_region_counts_a_pole_named_by_an_application_or_by_its_commune_once(client):
    east = RegionFactory(name="Grand Est", slug="grand-est")
    alsace = FormerRegionFactory(name="Alsace", region=east, departments="67 68")
    lorraine = FormerRegionFactory(name="Lorraine", region=east, departments="54 55 57 88")
    both = PoleFactory(region=east, commune_code="67482")
    ApplicationFactory(pole=both, former_region=alsace)  # named, and in it: counted once
    ApplicationFactory(pole=PoleFactory(region=east, commune_code="67482"), former_region=lorraine)
    PoleFactory(region=east, commune_code="97411")  # overseas: department 974, none of these
    former = options(client.get(DIRECTORY))["former_region"]
    counts = {value: shown_count(text) for value, text, *_ in former if value}
    assert counts == {alsace.slug: 2, lorraine.slug: 1}
    assert check_counts_follow_links(client, {}) > 0


def test_counts_use_a_constant_number_of_queries(client):
    """The same number of queries with 2 and with 30 poles, with and without a search."""
    make_registry(2)
    queries = [{}, {"q": "cooperative pole"}, {"region": "grand-est", "sector": "culture"},
               {"witness": "unknown"}]

    def counted(query):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DIRECTORY, query).status_code == 200
        return len(captured)

    small = [counted(query) for query in queries]
    culture, call = SectorFactory(name="Culture"), Call.objects.get(slug="appel-2013")
    with deferred_indexing():  # the poles indexed once, at the end (as make_registry's)
        for n in range(28):
            pole = PoleFactory(name=f"Coopérative de plus {n}", sectors=[culture])
            MembershipFactory(pole=pole)
            ApplicationFactory(pole=pole, call=call)
    assert [counted(query) for query in queries] == small


def test_the_organisations_directory_shows_no_counts(client):
    OrganisationFactory(kind=Organisation.Kind.SME)
    response = client.get(reverse("members:organisation-list"))
    assert response.status_code == 200
    assert "counts-note" not in response.content.decode()
    assert all(not COUNTED.match(text) for _v, text, *_ in options(response)["kind"])


def test_bad_filter_values_still_give_counts(client):
    make_registry(4)
    response = client.get(DIRECTORY, {"region": "nulle-part", "status": "x" * 300, "q": "\x00"})
    assert response.status_code == 200
    assert shown_count(options(response)["region"][1][1]) >= 0


# -- open data -------------------------------------------------------------------------------


@pytest.mark.usefixtures("plain_templates")  # the pages' HTML is read, not their context
class TestOpenDataFacets:
    """Both URLs read the same six poles, written once for the class: the directory's pages
    that give the expected numbers are read once, for the first."""

    @pytest.mark.parametrize("url_name", ["poles:api-poles", "poles:pole-export-geojson"])
    def test_geojson_carries_the_facet_counts_on_request(self, client, six_poles, url_name):
        url = reverse(url_name)
        plain = json.loads(client.get(url, {"region": "grand-est"}).content)
        assert "facets" not in plain
        query = {"region": "grand-est", "facets": "1"}
        data = json.loads(client.get(url, query).content)
        assert set(data["facets"]) == set(FACETS)
        total = result_count(client, {"region": "grand-est"}, six_poles)
        assert data["facets"]["region"]["grand-est"] == total
        for name, by_value in data["facets"].items():
            for value, count in by_value.items():
                found = result_count(client, {"region": "grand-est", name: value}, six_poles)
                assert count == found, (name, value)
