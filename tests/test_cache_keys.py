"""The page cache's keys and limits: one entry per page, whatever the URL carries.

Junk and tracking parameters (utm_*, fbclid, gclid…) share the clean URL's entry, the order
of the parameters does not matter, a repeated parameter counts by the value the page reads, a
page number by its value, the Host and the scheme not at all; parameters a page reads keep
their own entries, a page built from values it ignored (invalid filter, unknown sort, bad page
number) or a page bigger than PAGE_CACHE_MAX_BYTES is served but not stored, and no URL is
ever answered with another page. The rest of the page cache is tested in tests/test_cache.py.
"""

import fnmatch
import re

import django_filters
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse, QueryDict
from django.test import RequestFactory

from poles.models import Pole, Sector
from poles.registry.filters import PoleFilterSet
from ptce_site.cache import cache_public_page, current_generation
from ptce_site.cache_keys import ParametersRead, normalised_query
from tests.factories import PoleFactory, SectorFactory
from tests.shared_rows import rows_for_the_group
from tests.test_cache import get, served_from_cache, text

# These tests read pages and cache entries, no context: templates render as in production (the
# test environment's instrumentation: a tenth of a directory page's CPU time).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_templates")]

TRACKING = ["utm_source=lettre", "utm_medium=email", "utm_campaign=printemps", "fbclid=IwAR0x",
            "gclid=Cj0KCQ", "junk=1", "_=1712345678"]


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


@pytest.fixture
def registry(pole):
    """Two poles in two sectors: a filter on one or the other gives a different page."""
    wood, recycling = SectorFactory(name="Bois"), SectorFactory(name="Recyclerie")
    pole.sectors.add(recycling)
    PoleFactory(name="Pôle Maritime", sectors=[wood])
    return {"pole": pole, "wood": wood, "recycling": recycling}


def write_two_pages_of_poles() -> str:
    """``registry``'s poles and sectors, written in the same order, and 20 more poles: a second
    page in the directory. Gives the URL of the first pole's region."""
    pole = PoleFactory(name="Pôle Sud Archer")  # as conftest's ``pole``
    wood, recycling = SectorFactory(name="Bois"), SectorFactory(name="Recyclerie")
    pole.sectors.add(recycling)
    PoleFactory(name="Pôle Maritime", sectors=[wood])
    PoleFactory.create_batch(20)
    return pole.region.get_absolute_url()


@pytest.fixture(scope="class")
def two_pages_of_poles(django_db_setup, django_db_blocker) -> str:
    """``write_two_pages_of_poles()`` once for a class of tests that change none of its rows
    (they ask for pages and read the cache, emptied before each): the URL of its region."""
    with rows_for_the_group(django_db_blocker, write_two_pages_of_poles) as region:
        yield region


def page_entries() -> int:
    """How many pages of the current generation the cache holds, in memory or in Redis."""
    pattern = cache.make_key(f"page:{current_generation()}:*")
    stored = getattr(cache, "_cache", None)
    if isinstance(stored, dict):  # LocMemCache
        return sum(1 for key in stored if fnmatch.fnmatchcase(key, pattern))
    return sum(1 for _key in stored.get_client().scan_iter(match=pattern))


def test_junk_and_tracking_parameters_share_the_clean_urls_entry(client, registry):
    for clean in ["/poles/?q=archer", "/api/poles.geojson", "/"]:
        get(client, clean)
    assert page_entries() == 3
    for number in range(100):
        junk = f"{TRACKING[number % len(TRACKING)]}{number}"
        for url in [f"/poles/?{junk}&q=archer", f"/poles/?q=archer&{junk}",
                    f"/api/poles.geojson?{junk}", f"/?{junk}"]:
            assert served_from_cache(get(client, url)), url
    assert page_entries() == 3


def test_parameters_a_page_reads_get_their_own_entry(client, registry):
    urls = [
        "/poles/", "/poles/?q=archer", "/poles/?q=maritime", "/poles/?q=archer&sort=name",
        "/poles/?sort=name", "/poles/?sector=bois", "/poles/?sector=recyclerie",
        "/poles/?lang=en", "/carte/", "/carte/?level=former", "/carte/?metric=poles",
        "/api/regions.geojson", "/api/regions.geojson?level=former",
        "/api/poles.geojson?sector=bois", "/organisations/?kind=research",
    ]
    for url in urls:
        assert not served_from_cache(get(client, url)), url
    assert page_entries() == len(urls)
    for url in urls:
        assert served_from_cache(get(client, url)), url


def test_the_order_of_the_parameters_does_not_matter(client, registry):
    status = Pole.Status.OPERATIONAL
    first = get(client, f"/poles/?q=archer&sort=name&status={status}")
    assert not served_from_cache(first)
    for url in [f"/poles/?status={status}&q=archer&sort=name",
                f"/poles/?sort=name&utm_source=x&status={status}&q=archer",
                f"/poles/?sort=name&status={status}&q=archer"]:
        assert served_from_cache(get(client, url)), url
    assert page_entries() == 1


def test_a_repeated_parameter_counts_by_the_value_the_page_reads(client, registry):
    """A single-valued filter reads the last value: ?q=x&q=y is the page of ?q=y."""
    maritime = get(client, "/poles/?q=maritime")
    assert not served_from_cache(maritime)
    repeated = get(client, "/poles/?q=archer&q=maritime")
    assert served_from_cache(repeated) and "Pôle Maritime" in text(repeated)
    assert "Pôle Sud Archer" not in text(repeated)
    wood = get(client, "/poles/?sector=bois")
    assert "Pôle Maritime" in text(wood) and "Pôle Sud Archer" not in text(wood)
    assert served_from_cache(get(client, "/poles/?sector=recyclerie&sector=bois"))
    for count in range(2, 22):
        assert served_from_cache(get(client, "/poles/?" + "&".join(["q=maritime"] * count)))
    assert page_entries() == 2


def test_a_page_number_counts_by_its_value(client, registry):
    PoleFactory.create_batch(20)  # a second page
    first = get(client, "/poles/")
    for url in ["/poles/?page=1", "/poles/?page=01", "/poles/?page=0000001"]:
        assert served_from_cache(get(client, url)), url
    second = get(client, "/poles/?page=2")
    assert not served_from_cache(second) and text(second) != text(first)
    for url in ["/poles/?page=02", "/poles/?page=002&page=1&page=0002"]:
        assert served_from_cache(get(client, url)), url
    assert page_entries() == 2


def test_an_unknown_language_is_junk_a_known_one_is_not(client, registry):
    get(client, "/poles/")
    assert served_from_cache(get(client, "/poles/?lang=xx"))
    english = get(client, "/poles/?lang=en")
    assert not served_from_cache(english) and '<html lang="en">' in text(english)
    assert page_entries() == 2


def _without_visitor_values(page: str) -> str:
    """The page without this response's CSP nonce and this visitor's CSRF token."""
    page = re.sub(r'nonce="[^"]*"', 'nonce=""', page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "csrf", page)


# Each with another Host and scheme: the page never depends on them (links from SITE_URL).
VISITORS = [{}, {"HTTP_HOST": "LoCaLhOsT"}, {"HTTP_HOST": "127.0.0.1:8123", "secure": True}]


def test_no_url_is_ever_answered_with_another_page(client, registry, settings):
    """Every URL, asked in turn with the cache on, gets exactly the page built for it alone
    (for one with junk, in another order, with a repeated parameter or a page number written
    otherwise: the page of its normalised URL), whatever the Host and the scheme."""
    PoleFactory.create_batch(20)  # a second page in the directory
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    region = registry["pole"].region.get_absolute_url()
    asked = {  # URL asked: URL of the page it must get
        "/poles/?q=archer": "/poles/?q=archer",
        "/poles/?utm_source=x&q=archer&fbclid=y": "/poles/?q=archer",
        "/poles/?q=maritime": "/poles/?q=maritime",
        "/poles/?q=maritime&q=archer": "/poles/?q=archer",
        "/poles/?q=archer&q=maritime": "/poles/?q=maritime",
        "/poles/?sector=bois&sector=recyclerie": "/poles/?sector=recyclerie",
        "/poles/?sector=recyclerie&sector=bois": "/poles/?sector=bois",
        "/poles/?sort=name&q=p%C3%B4le": "/poles/?q=p%C3%B4le&sort=name",
        "/poles/": "/poles/",
        "/poles/?page=1": "/poles/",
        "/poles/?page=2": "/poles/?page=2",
        "/poles/?page=0002&gclid=z": "/poles/?page=2",
        "/poles/?page=2&page=1": "/poles/",
        "/poles/?q=&region=&sort=&page=": "/poles/",
        "/poles/?q=archer&status=&sort=": "/poles/?q=archer",
        "/carte/?level=&metric=&call=": "/carte/",
        "/poles/?page=1&page=2": "/poles/?page=2",
        "/poles/?page=99": "/poles/?page=99",
        "/poles/?page=x": "/poles/?page=x",
        "/poles/?sort=x": "/poles/?sort=x",
        "/poles/?region=x&q=archer": "/poles/?q=archer&region=x",
        "/poles/?lang=en": "/poles/?lang=en",
        "/poles/?lang=xx": "/poles/",
        "/carte/?metric=poles&level=former": "/carte/?level=former&metric=poles",
        "/carte/?level=former": "/carte/?level=former",
        "/carte/?metric=x": "/carte/?metric=x",
        "/api/regions.geojson?level=former&junk=1": "/api/regions.geojson?level=former",
        "/api/poles.json?utm_medium=x&q=archer": "/api/poles.json?q=archer",
        f"{region}?page=1&utm_source=x": region,
        f"{region}?page=x": f"{region}?page=x",
    }
    settings.PAGE_CACHE_SECONDS = 0
    fresh = {url: _without_visitor_values(text(get(client, url))) for url in set(asked.values())}
    settings.PAGE_CACHE_SECONDS = 600
    for visitor in VISITORS:  # the first fills the cache, the others are served from it
        for url, page_url in asked.items():
            page = _without_visitor_values(text(get(client, url, **visitor)))
            assert page == fresh[page_url], (url, visitor)


# Junk URLs that nothing stops anyone from making by the thousand: family -> (the n-th URL,
# entries 20 of them may make). A page built from values it ignored is not stored at all.
JUNK = {
    "page number with leading zeros": (lambda n, region: "/poles/?page=" + "0" * n + "1", 1),
    "page 2 with leading zeros": (lambda n, region: "/poles/?page=" + "0" * n + "2", 1),
    "page number that is not one": (lambda n, region: f"{region}?page=x{n}", 0),
    "page number out of range": (lambda n, region: f"/poles/?page={99 + n}", 0),
    "page number zero or less": (lambda n, region: f"/organisations/?page=-{n}", 0),
    "page number written otherwise": (lambda n, region: "/poles/?page=2" + "%20" * n, 0),
    "unknown sort": (lambda n, region: f"/poles/?sort=x{n}", 0),
    "invalid filter value": (lambda n, region: f"/poles/?region=x{n}", 0),
    "invalid filter value, map": (lambda n, region: f"/carte/?call=x{n}", 0),
    "invalid filter value, open data": (lambda n, region: f"/api/poles.json?status=x{n}", 0),
    "invalid filter value, organisations": (lambda n, region: f"/organisations/?kind=x{n}", 0),
    "search written otherwise": (lambda n, region: "/poles/?q=archer" + "%20" * n, 0),
    "unknown map metric": (lambda n, region: f"/carte/?metric=x{n}", 0),
    "unknown map level": (lambda n, region: f"/carte/?level=x{n}", 0),
    "repeated parameter": (lambda n, region: "/poles/?" + "&".join(["q=x"] * n), 1),
    "empty fields": (lambda n, region: "/poles/?" + "&".join(
        f"{name}=" for bit, name in enumerate(PoleFilterSet.base_filters) if n >> bit & 1), 1),
}


class TestJunkValues:
    """The families read the same two dozen poles, written once for the class."""

    @pytest.mark.parametrize("family", JUNK)
    def test_junk_values_do_not_fill_the_cache(self, client, two_pages_of_poles, family):
        url_of, most = JUNK[family]
        for number in range(1, 21):
            url = url_of(number, two_pages_of_poles)
            if url.startswith("/api/"):  # the open data refuses it, saying why (a 400)
                assert client.get(url).status_code == 400, url
            else:
                get(client, url)  # served all the same
        assert page_entries() <= most


def test_hosts_and_schemes_share_one_entry(client, registry, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    get(client, "/poles/")
    hosts = [f"127.0.0.1:{port}" for port in range(8000, 8010)]
    hosts += ["LoCaLhOsT", "LOCALHOST", "localhost", "localhost:80", "TestServer"]
    for host in hosts:
        for secure in (False, True):
            response = get(client, "/poles/", HTTP_HOST=host, secure=secure)
            assert served_from_cache(response), (host, secure)
    assert page_entries() == 1


def test_junk_in_the_query_string_never_shows_to_other_visitors(client, registry):
    """The page is built from the clean query string: no junk in its links (the language
    form's next, the exports, the chips) for the next visitor to be served."""
    poisoned = get(client, "/poles/?q=archer&utm_source=EVIL-LINK&status=operational")
    assert "EVIL-LINK" not in text(poisoned)
    served = get(client, "/poles/?status=operational&q=archer")
    assert served_from_cache(served) and "EVIL-LINK" not in text(served)


def test_a_page_bigger_than_the_cap_is_served_but_not_stored(client, registry, settings):
    size = len(get(client, "/poles/").content)
    cache.clear()
    settings.PAGE_CACHE_MAX_BYTES = size - 1
    for _round in range(2):
        response = get(client, "/poles/")
        assert len(response.content) == size and not served_from_cache(response)
    assert page_entries() == 0
    settings.PAGE_CACHE_MAX_BYTES = size  # the cap itself fits
    get(client, "/poles/")
    assert served_from_cache(get(client, "/poles/")) and page_entries() == 1


def test_no_cap_when_the_setting_is_zero(client, registry, settings):
    settings.PAGE_CACHE_MAX_BYTES = 0
    get(client, "/api/poles.geojson")
    assert served_from_cache(get(client, "/api/poles.geojson"))


def test_each_view_declares_the_parameters_its_page_reads():
    with pytest.raises(TypeError, match="query parameters the page reads"):
        cache_public_page(lambda request: HttpResponse())
    assert ParametersRead((PoleFilterSet, "page")).names == {*PoleFilterSet.base_filters, "page"}

    class FoundedFilterSet(django_filters.FilterSet):
        founded = django_filters.NumericRangeFilter(field_name="founded_year")

        class Meta:
            model = Pole
            fields = ["status"]

    # A range filter reads two parameters.
    assert ParametersRead((FoundedFilterSet,)).names == {"status", "founded_min", "founded_max"}


class SeveralValuesFilterSet(django_filters.FilterSet):
    """Filters that read every value of a repeated parameter, and some that read the last."""

    status = django_filters.MultipleChoiceFilter(choices=[("a", "A"), ("b", "B")])
    sector = django_filters.ModelMultipleChoiceFilter(
        field_name="sectors", to_field_name="slug", queryset=Sector.objects.all()
    )
    years = django_filters.BaseInFilter(field_name="founded_year")  # "1990,2000": one value
    founded = django_filters.NumericRangeFilter(field_name="founded_year")
    q = django_filters.CharFilter(field_name="name")

    class Meta:
        model = Pole
        fields = []


def test_a_filter_that_reads_several_values_keeps_them_all(registry):
    read = ParametersRead((SeveralValuesFilterSet, "page"))
    assert read.several == {"status", "sector"}
    asked = QueryDict(
        "status=b&status=a&sector=recyclerie&sector=bois&years=1990,2000&years=2010"
        "&founded_min=1&founded_min=2000&q=x&q=y&page=3&page=02"
    )
    normalised = normalised_query(asked, read)
    assert normalised.urlencode() == (
        "founded_min=2000&page=2&q=y&sector=recyclerie&sector=bois&status=b&status=a&years=2010"
    )
    # The filters read exactly the same values from both.
    as_asked, as_normalised = SeveralValuesFilterSet(asked), SeveralValuesFilterSet(normalised)
    assert as_asked.form.is_valid() and as_normalised.form.is_valid()
    assert as_asked.form.cleaned_data == as_normalised.form.cleaned_data


def test_a_page_with_several_values_gets_its_own_entry():
    @cache_public_page(SeveralValuesFilterSet)
    def view(request):
        form = SeveralValuesFilterSet(request.GET).form
        return HttpResponse(",".join(form.cleaned_data["status"] if form.is_valid() else []))

    def ask(query):
        request = RequestFactory().get(f"/several/?{query}")
        request.user = AnonymousUser()
        return view(request)

    assert ask("status=a&status=b").content == b"a,b"
    assert ask("status=b&status=a").content == b"b,a"
    again = ask("status=a&status=b")
    assert served_from_cache(again) and again.content == b"a,b"
    assert not served_from_cache(ask("status=a"))
    assert page_entries() == 3
