"""Every URL pattern of the site, walked with hostile values: never a 500, never a traceback in
the page, never a response slower than 2 s in-process (issue #10, "What must also hold").

Nothing here lists the site's pages, so that a new page is walked without editing this file:

- **URLs**: every ``URLPattern`` under ``get_resolver().url_patterns``, walked recursively (the
  admin site's patterns included, its regular expressions and catch-all too). Each path
  parameter is filled with a real key (a slug among those of every model with one: the first
  that a visitor gets a 200 for; the id of a real row of the admin's model; a real invitation
  or password-reset token...) and, one parameter at a time, with hostile keys (unknown slug,
  huge and negative ids, and in turn NUL, invalid UTF-8, 300 characters). A pattern whose
  parameters the walker cannot fill fails ``test_every_url_pattern_is_reached_with_real_keys``,
  which says what to teach ``real_keys()``; a pattern shadowed by an earlier one with the same
  route (a project view replacing one of Django's) cannot be reached and is skipped.
- **Query parameters**: a fixed set any page may meet (``q``, ``page``, ``sort``, ``lang``,
  ``next``); on the public pages the fields of every FilterSet of the project
  (``poles/registry/filters.py``, ``members/filters.py``...); on the admin's ``_to_field``,
  ``_popup``, ``_changelist_filters`` and, on changelists, ``q``, ``o``, ``p``, ``e``, ``all``
  and the parameters of the list filters and date hierarchy (``expected_parameters()`` of the
  changelist's filter specs); plus what the pages show: the fields of the forms that target the
  URL (the admin's add page takes them as initial values) and the parameters of the links to it.
- **Form fields (POST)**: the ``<input>``, ``<select>``, ``<textarea>`` and ``<button>`` names
  of every form seen on the pages walked, posted to the form's action by the visitors who saw
  it (so the header's language and logout forms are posted too); a page without a form gets one
  POST of the common parameters.
- **Who**: an anonymous visitor, a pole leader (``alice``) and a curator (``curator``).
- **Sampling**, to stay fast (about 3,000 requests): each URL is asked plainly by each visitor;
  one visitor to whom it answers 200 then sends each parameter alone (a value refused early,
  with a 400 or a redirect, would hide the others), then all the parameters that were not
  refused at once, so that every value of the corpus goes to the URL at least once; each other
  visitor sends all the parameters at once with one value (on the admin, only those it lets
  in: the others meet the same login redirect). Each form is posted with a huge number and one
  other value in turn; deletions are posted last. A page asked plainly while its real keys
  were chosen is not asked again (its answer is read instead): nothing was posted in between.

The walk lives beside this file: ``walk_routes.py`` (the corpus, the URL patterns),
``walk_visitors.py`` (the rows and their keys, the visitors) and ``walk_site.py`` (the walk).

The requests go through Django's test client with ``raise_request_exception=False`` (a view
that raises answers the site's 500 page, as in production); CSRF checks are off, so that the
posts reach the views. The tests at the end pin each defect the walk found.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from ptce_site.forms import BoundedInlineFormSet
from tests.factories import FormerRegionFactory
from tests.walk_routes import SHARES
from tests.walk_site import pages_of_the_site, walk_the_site
from tests.walk_visitors import SiteData, build_site_data

# These tests read no context: templates render as in production (a fifth of the walk's time
# went to the test environment's instrumentation).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_templates")]


@pytest.fixture
def site_data(pole, alice, curator, stranger) -> SiteData:
    """A small registry with a row in every table the admin shows."""
    return build_site_data(pole, alice, curator, stranger)


@pytest.fixture(autouse=True)
def _api_unthrottled(settings):
    """The JSON API's throttle would answer 429 to most of the walk's requests, which would
    then never reach the views with their hostile values."""
    settings.API_THROTTLE_RATE = "1000000/min"


@pytest.fixture(autouse=True)
def _quiet_logs():
    """Thousands of 4xx answers would each log a warning (with a traceback for 400 and 403):
    slow, and noise. Server errors, which are what this walk looks for, are still logged."""
    import logging

    quiet = {
        "django.request": logging.ERROR,
        "django.security": logging.CRITICAL,
        "axes": logging.ERROR,
    }
    loggers = [logging.getLogger(name) for name in quiet]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(quiet[logger.name])
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


# -- the tests -------------------------------------------------------------------------------------


def test_every_url_pattern_is_reached_with_real_keys(site_data):
    # Whether a pattern can be filled does not depend on the answers: which of its fillings a
    # visitor sees is asked by the shares of the walk below (same requests, checked there).
    pages, unreached = pages_of_the_site(None, site_data)
    assert [route.text for route in unreached] == [], (
        "The walker cannot fill these patterns' parameters with real keys: teach real_keys()."
    )
    assert len(pages) > 100


@pytest.mark.parametrize("share", range(SHARES))
def test_no_url_gives_a_server_error_a_traceback_or_a_slow_answer(site_data, share):
    walker = walk_the_site(site_data, share=share)
    print(  # shown with -s or -rP
        f"\n{len(walker.pages)} URL patterns walked, {sum(walker.requests.values())} requests "
        f"({', '.join(f'{phase}: {count}' for phase, count in walker.requests.items())}; "
        f"{walker.reused} answers of the keys' phase reused); "
        f"slowest {walker.slowest[0]:.3f} s: {walker.slowest[1]}"
    )
    assert walker.problems == [], f"{len(walker.problems)} problems:\n" + "\n".join(
        walker.problems[:100]
    )


def test_the_walker_reports_a_view_that_fails(site_data, monkeypatch):
    """The walk above would miss nothing: a search that raises is a problem it reports."""
    from members.filters import OrganisationFilterSet

    def broken(self, queryset, name, value):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(OrganisationFilterSet, "filter_search", broken)
    walker = walk_the_site(site_data, only="members:organisation-list")
    assert walker.problems
    assert all("-> 500" in problem for problem in walker.problems)


# -- what the walk found, one test each ------------------------------------------------------------


@pytest.fixture
def staff(curator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(curator)
    return client


def _post(client: Client, path: str, body: str):
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("view", ["change", "delete"])
def test_an_empty_to_field_in_the_admin_is_a_bad_request(staff, pole, view):
    response = staff.get(f"/admin/poles/pole/{pole.pk}/{view}/?_to_field=")
    assert response.status_code == 400


def test_a_date_hierarchy_year_too_large_shows_the_unfiltered_changelist(staff, pole):
    response = staff.get("/admin/poles/pole/?updated_at__year=99999999999999999999")
    assert response.status_code == 302
    assert response["Location"] == "/admin/poles/pole/?e=1"


@pytest.mark.parametrize("parameter", ["q", "status__exact", "publisher", "a\x00"])
def test_nul_in_an_admin_query_string_is_a_bad_request(staff, parameter):
    path = "/admin/poles/sourcedocument/" if parameter == "publisher" else "/admin/poles/pole/"
    response = staff.get(path, {parameter: "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "1\x00"])
def test_an_autocomplete_field_given_no_key_says_so(staff, pole, value):
    """Posted, or given to the add page as its initial value."""
    former_region = FormerRegionFactory(region=pole.region)
    response = _post(
        staff,
        f"/admin/poles/formerregion/{former_region.pk}/change/",
        f"code=11&name=Nord&slug=nord&departments=59&region={quote(value)}",
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    initial = staff.get("/admin/poles/formerregion/add/", {"region": value})
    assert initial.status_code == (400 if "\x00" in value else 200)  # NUL: see above


def test_a_many_to_many_choice_too_large_for_the_database_is_refused(staff, alice, pole):
    from poles.leadership.space.forms import PoleProfileForm

    leader = Client(raise_request_exception=False)
    leader.force_login(alice)
    huge = "99999999999999999999"
    snapshot = PoleProfileForm(instance=pole).initial["snapshot"]
    body = f"summary=x&status=operational&version={pole.version}&snapshot={snapshot}"
    response = _post(leader, f"/espace/poles/{pole.slug}/", f"{body}&sectors={huge}")
    assert response.status_code == 400
    assert f"{huge}\xa0» n’est pas une valeur correcte" in response.content.decode()
    response = _post(staff, f"/admin/poles/pole/{pole.pk}/change/", f"name=x&sectors={huge}")
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["leaders", "admin"])
def test_a_forged_formset_size_builds_no_more_forms_than_allowed(
    staff, alice, pole, page, monkeypatch
):
    """One post of TOTAL_FORMS=99999999 made Django build 2,000 forms (10 to 25 s): the forms
    built are counted (not timed: the run shares two cores)."""
    if page == "leaders":
        client = Client(raise_request_exception=False)
        client.force_login(alice)
        path = f"/espace/poles/{pole.slug}/membres/"
        body = f"version={pole.version}&members-TOTAL_FORMS=99999999&members-INITIAL_FORMS=0"
    else:
        client = staff
        path = f"/admin/poles/pole/{pole.pk}/change/"
        body = "name=x&memberships-TOTAL_FORMS=99999999&memberships-INITIAL_FORMS=0"
    limit = BoundedInlineFormSet.new_forms_limit  # the pole has no member yet
    built = []
    construct = BoundedInlineFormSet._construct_form

    def counted(formset, index, **kwargs):
        built.append(index)
        return construct(formset, index, **kwargs)

    monkeypatch.setattr(BoundedInlineFormSet, "_construct_form", counted)
    response = _post(client, path, body)
    assert 0 < len(built) <= limit
    assert response.status_code < 500
    assert f"Veuillez soumettre au plus {limit} formulaires" in response.content.decode()
