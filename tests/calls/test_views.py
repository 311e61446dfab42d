"""The public pages of the calls for projects, as an anonymous visitor."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Application
from calls.views import funnel
from poles.registry.search.indexer import deferred_indexing
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db

CALLS = reverse("calls:call-list")
CALL_2013 = reverse("calls:call-detail", args=["appel-a-projets-2013"])
CALL_2011 = reverse("calls:call-detail", args=["appel-a-candidature-2011"])


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_well_formed_page(html: str) -> None:
    """One h1, no skipped heading level, breadcrumbs, meta description and og:title."""
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, levels
    assert re.search(
        r'<nav class="breadcrumbs[^"]*" aria-label="Fil d(\'|&#x27;)Ariane"><ol>', html
    )
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)


# -- the list ----------------------------------------------------------------------------------


def test_call_list_shows_the_calls_newest_first_with_their_figures(client, seeded):
    response = client.get(CALLS)
    html = html_of(response)
    calls = list(response.context["calls"])
    assert [call.slug for call in calls] == ["appel-a-projets-2013", "appel-a-candidature-2011"]
    assert calls[0].laureate_count == 23
    assert html.index("Appel à projets interministériel PTCE (2013)") < html.index(
        "Valoriser et développer les Pôles Territoriaux de Coopération Économique (2011)"
    )
    assert "plus de 180" in html
    assert "Appel à projets interministériel" in html  # the kind
    assert "Appel à candidatures des réseaux" in html
    assert "10 janvier 2014" in html and "30 octobre 2011" in html
    assert f'href="{CALL_2013}"' in html
    assert_well_formed_page(html)


def test_call_list_counts_laureates_only(client):
    call = CallFactory()
    ApplicationFactory.create_batch(3, call=call)
    ApplicationFactory(call=call, outcome=Application.Outcome.NOT_SELECTED)
    response = client.get(CALLS)
    assert [c.laureate_count for c in response.context["calls"]] == [3]


def test_call_list_without_calls_says_so(client):
    html = html_of(client.get(CALLS))
    assert "Aucun appel n'est encore enregistré" in html


# -- one call: the 2013 call from the seed data -----------------------------------------------


def test_2013_call_lists_its_23_laureates_grouped_by_region_as_named_then(client, seeded):
    response = client.get(CALL_2013)
    html = html_of(response)
    groups = response.context["laureate_groups"]
    assert sum(len(group["applications"]) for group in groups) == 23
    by_name = {group["name_then"]: group for group in groups}
    assert len(by_name) == 15
    champagne = by_name["Champagne-Ardenne"]
    assert [a.pole.name for a in champagne["applications"]] == ["Ardaynes", "CIS DT 52"]
    assert champagne["region"].name == "Grand Est"
    assert len(by_name["Ile de France"]["applications"]) == 4
    assert len(by_name["Rhône-Alpes"]["applications"]) == 3
    assert by_name["Rhône-Alpes"]["region"].name == "Auvergne-Rhône-Alpes"
    # The former region's heading, its number of laureates, and today's region beside it.
    heading = re.search(r"<h3[^>]*>Champagne-Ardenne .*?</h3>\s*<p[^>]*>(.*?)</p>", html, re.S)
    assert heading and "2 lauréats" in heading.group(0)
    assert "Grand Est" in heading.group(1) and 'href="/regions/grand-est/"' in heading.group(1)
    assert "23 pôles lauréats" in html
    assert_well_formed_page(html)


def test_2013_call_groups_are_in_alphabetical_order_ignoring_accents(client, seeded):
    names = [g["name_then"] for g in client.get(CALL_2013).context["laureate_groups"]]
    assert names[:4] == ["Aquitaine", "Auvergne", "Bourgogne", "Centre"]
    assert names.index("Franche-Comté") < names.index("Ile de France") < names.index("Lorraine")


def test_2013_call_laureates_link_to_their_pole_pages_and_witness_poles_are_marked(client, seeded):
    html = html_of(client.get(CALL_2013))
    assert '<a href="/poles/ardaynes/">Ardaynes</a> <span class="badge badge-witness">' in html
    assert '<a href="/poles/cis-dt-52/">CIS DT 52</a></li>' in html  # not a witness pole
    assert html.count('class="badge badge-witness"') == 8


def test_2013_call_shows_the_funnel_and_the_selection_rate_in_french(client, seeded):
    html = html_of(client.get(CALL_2013))
    funnel_html = re.search(r'<ol class="funnel">(.*?)</ol>', html, re.S).group(1)
    steps = re.findall(r"<li>(.*?)</li>", funnel_html, re.S)
    assert len(steps) == 3
    assert "plus de <strong>180</strong> dossiers reçus" in steps[0]
    assert "<strong>130</strong> dossiers recevables" in steps[1]
    assert "<strong>23</strong> dossiers retenus" in steps[2]
    assert "17,7&nbsp;%" in html
    assert "bar-w-100" in steps[0] and "bar-w-70" in steps[1] and "bar-w-15" in steps[2]


def test_2013_call_shows_its_results_date_in_french(client, seeded):
    html = html_of(client.get(CALL_2013))
    assert '<time datetime="2014-01-10">10 janvier 2014</time>' in html


def test_call_links_to_the_directory_filtered_on_its_laureates(client, seeded):
    html = html_of(client.get(CALL_2013))
    assert 'href="/poles/?call=appel-a-projets-2013&amp;outcome=laureate"' in html
    directory = client.get("/poles/", {"call": "appel-a-projets-2013", "outcome": "laureate"})
    assert directory.context["page_obj"].paginator.count == 23


def test_call_lists_its_sources(client, seeded):
    html = html_of(client.get(CALL_2013))
    sources = html.split("Sources</h2>")[1]
    assert "annonce des 23 lauréats (janvier 2014)" in sources
    assert "2e Journée nationale des PTCE (19 septembre 2014)" in sources


# -- one call: the 2011 call from the seed data -----------------------------------------------


def test_2011_call_shows_its_five_milestones_in_order_with_the_date_to_be_confirmed(client, seeded):
    response = client.get(CALL_2011)
    html = html_of(response)
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    dates = re.findall(r'<time datetime="([\d-]+)">', timeline)
    assert dates == ["2011-10-30", "2011-10-31", "2011-12-15", "2012-01-15", "2012-02-15"]
    assert "du 31 octobre au 30 novembre 2011" in timeline
    assert timeline.count("date à confirmer") == 1
    last = timeline.split("<li>")[-1]
    assert "15 février 2012" in last and "date à confirmer" in last


def test_2011_call_links_its_organisers_to_their_pages(client, seeded):
    html = html_of(client.get(CALL_2011))
    for slug in ["le-labo-de-l-ess", "cncres", "coorace", "rtes", "iris"]:
        assert f'href="/organisations/{slug}/"' in html
    assert "<strong>150</strong> réponses" in html  # the documents count answers
    assert "dossiers reçus" not in html
    assert "Taux de sélection" not in html  # no eligible figure: no rate


def test_2011_call_shows_the_poles_it_cites_as_examples_and_no_laureates(client, seeded):
    response = client.get(CALL_2011)
    html = html_of(response)
    assert "<h2>Lauréats</h2>" not in html and "Aucun lauréat" not in html  # it chose none
    examples = html.split("Pôles cités comme exemples</h2>")[1].split("</ul>")[0]
    assert "Les documents de l'appel citent ces 8 pôles comme exemples." in examples
    assert examples.count("<li>") == 8
    assert '<a href="/poles/sicoval/">SICOVAL</a></li>' in examples
    assert '<a href="/poles/pole-sud-archer/">Pôle Sud Archer</a> <span class="badge' in examples
    link = "/poles/?call=appel-a-candidature-2011&amp;outcome=cited_as_example"
    assert f'href="{link}"' in examples
    directory = client.get(link.replace("&amp;", "&"))
    assert directory.context["page_obj"].paginator.count == 8
    outcome = directory.context["filter"].form.fields["outcome"]
    assert ("cited_as_example", "Cité comme exemple") in list(outcome.choices)
    assert_well_formed_page(html)


def test_a_pole_page_says_the_2011_call_cited_it_as_an_example(client, seeded):
    html = html_of(client.get("/poles/sicoval/"))
    row = html.split('href="/appels/appel-a-candidature-2011/"')[1].split("</tr>")[0]
    assert "<td>Cité comme exemple</td>" in row


def test_home_page_gives_each_call_a_figure_its_documents_give(client, seeded):
    html = html_of(client.get("/"))
    figures = html.split('<ul class="figures">')[1].split("</ul>")[0]
    assert re.search(r'"figure-number">23</span>\s*lauréats', figures)
    # The 2011 call chose no laureate: its 150 answers, never "0 lauréat".
    assert re.search(r'"figure-number">150</span>\s*réponses\s*— <a href="/appels/appel', figures)
    assert not re.search(r'"figure-number">0</span>\s*lauréat', figures)


def test_home_and_call_list_count_received_applications_where_the_documents_do(client):
    CallFactory(title="Appel A", applications_received=40, received_is_lower_bound=True)
    CallFactory(title="Appel B", applications_received=12, received_unit="answers")
    CallFactory(title="Appel C")
    figures = html_of(client.get("/")).split('<ul class="figures">')[1].split("</ul>")[0]
    assert re.search(r'plus de <span class="figure-number">40</span>\s*dossiers reçus', figures)
    assert re.search(r'"figure-number">12</span>\s*réponses', figures)
    assert re.search(r'<li class="figure"><a href="[^"]+">Appel C</a></li>', figures)
    listing = html_of(client.get(CALLS))
    assert "<dt>Dossiers reçus</dt>" in listing and "<dt>Réponses reçues</dt>" in listing


def test_call_description_keeps_its_paragraphs(client, seeded):
    html = html_of(client.get(CALL_2011))
    assert "<p>Trois façons d&#x27;y répondre" in html


# -- one call: built with factories -----------------------------------------------------------


def test_unknown_call_is_a_404(client):
    response = client.get(reverse("calls:call-detail", args=["appel-inconnu"]))
    assert response.status_code == 404


def test_call_page_hides_unpublished_laureates(client):
    call = CallFactory()
    ApplicationFactory(call=call, pole=PoleFactory(name="Pôle public"))
    ApplicationFactory(call=call, pole=PoleFactory(name="Pôle brouillon", is_published=False))
    html = html_of(client.get(call.get_absolute_url()))
    assert "Pôle public" in html
    assert "Pôle brouillon" not in html and "pole-brouillon" not in html
    assert "1 autre lauréat n'est pas encore présenté" in html


def test_call_page_shows_only_laureates(client):
    call = CallFactory()
    ApplicationFactory(call=call, pole=PoleFactory(name="Pôle retenu"))
    ApplicationFactory(call=call, pole=PoleFactory(name="Pôle non retenu"), outcome="not_selected")
    html = html_of(client.get(call.get_absolute_url()))
    assert "Pôle retenu" in html and "Pôle non retenu" not in html


def test_laureates_without_former_region_are_grouped_by_their_pole_region(client):
    region = RegionFactory(code="99", name="Région test", slug="region-test")
    call = CallFactory()
    ApplicationFactory(call=call, pole=PoleFactory(region=region))
    ApplicationFactory(call=call, pole=PoleFactory(region=None))
    groups = client.get(call.get_absolute_url()).context["laureate_groups"]
    assert [(g["name_then"], g["region"]) for g in groups] == [("Région test", region), ("", None)]
    assert "Région non renseignée" in html_of(client.get(call.get_absolute_url()))


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (datetime.date(2011, 11, 3), datetime.date(2011, 11, 30), "du 3 au 30 novembre 2011"),
        (
            datetime.date(2011, 10, 31),
            datetime.date(2011, 11, 30),
            "du 31 octobre au 30 novembre 2011",
        ),
        (
            datetime.date(2011, 12, 15),
            datetime.date(2012, 1, 10),
            "du 15 décembre 2011 au 10 janvier 2012",
        ),
        (datetime.date(2012, 2, 15), None, "15 février 2012"),
        (datetime.date(2012, 2, 15), datetime.date(2012, 2, 15), "15 février 2012"),
    ],
)
def test_milestone_dates_and_periods_read_in_french(client, start, end, shown):
    milestone = MilestoneFactory(date=start, end_date=end)
    html = html_of(client.get(milestone.call.get_absolute_url()))
    assert f'<time datetime="{start.isoformat()}">{shown}</time>' in html


def test_call_without_figures_or_milestones_says_so(client):
    html = html_of(client.get(CallFactory().get_absolute_url()))
    assert "Les chiffres de cet appel ne sont pas connus." in html
    assert "Le calendrier de cet appel n'est pas encore renseigné." in html
    assert "Non renseignés" in html  # organisers


def test_call_page_escapes_curated_text(client):
    call = CallFactory(
        title="<script>alert(1)</script>", summary="<b>gras</b>", description="<i>x</i>"
    )
    SourceDocumentFactory(title="<script>alert(2)</script>").calls.add(call)
    html = html_of(client.get(call.get_absolute_url()))
    assert "<script>alert" not in html and "<b>gras" not in html and "<i>x" not in html


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ((180, 130, 23), [100, 70, 15]),
        ((150, None, None), [100]),
        ((None, 10, 1), [100, 10]),
        ((1000, 1, 0), [100, 5, 0]),
        ((None, None, None), []),
    ],
)
def test_funnel_bars_are_proportional_by_steps_of_five(figures, expected):
    received, eligible, selected = figures
    call = CallFactory.build(
        applications_received=received,
        applications_eligible=eligible,
        applications_selected=selected,
    )
    assert [step["width"] for step in funnel(call)] == expected


# -- query counts ----------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@deferred_indexing()  # the poles indexed once, at the end
def _add_laureates(call, count: int) -> None:
    former = FormerRegionFactory(code="21", name="Champagne-Ardenne", slug="champagne-ardenne")
    for _ in range(count):
        pole = PoleFactory(region=former.region, is_witness=True)
        MembershipFactory(pole=pole)
        MembershipFactory(pole=pole, role="funder")
        ApplicationFactory(call=call, pole=pole, former_region=former)
        ApplicationFactory(pole=pole)  # an application to another call


def test_call_list_runs_a_constant_number_of_queries(client):
    _add_laureates(CallFactory(), 1)
    few = _count_queries(client, CALLS)
    for _ in range(29):
        _add_laureates(CallFactory(), 1)
    assert _count_queries(client, CALLS) == few <= 2


def test_call_page_runs_a_constant_number_of_queries(client):
    call = CallFactory(applications_received=100, applications_eligible=60)
    call.organisers.add(OrganisationFactory())
    call.sources.add(SourceDocumentFactory())
    MilestoneFactory(call=call)
    _add_laureates(call, 1)
    few = _count_queries(client, call.get_absolute_url())
    _add_laureates(call, 29)
    for _ in range(29):
        call.organisers.add(OrganisationFactory())
        call.sources.add(SourceDocumentFactory())
        MilestoneFactory(call=call)
    response = client.get(call.get_absolute_url())
    assert response.context["published_laureate_count"] == 30
    assert _count_queries(client, call.get_absolute_url()) == few <= 6
