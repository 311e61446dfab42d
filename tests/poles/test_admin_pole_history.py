"""The poles' admin: the history summary on a pole's page, edits that cross, and the bulk actions'
queries."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.models import Application
from poles.models import Pole
from tests.admin_conftest_helpers import grow_registry
from tests.admin_helpers import csv_export_queries, read_csv
from tests.constant_queries import counted_then_grown
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
    UserFactory,
)
from tests.poles.test_admin import CHANGELIST, MODELS, POLE_CSV_HEADER, pole_form_data

pytestmark = pytest.mark.django_db


def test_history_summary_shows_who_changed_what_and_when(curator_client, curator):
    curator.first_name, curator.last_name = "Claire", "Martin"
    curator.save()
    pole = PoleFactory(name="Coopaxis", slug="coopaxis", is_published=False)
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    assert curator_client.post(url, pole_form_data(pole, status="dormant")).status_code == 302
    curator_client.post(CHANGELIST, {"action": "publish", "_selected_action": [pole.pk]})
    html = unescape(curator_client.get(url).content.decode())
    assert "Historique des modifications" in html
    assert "Claire Martin (claire)" in html
    assert "Statut : Opérationnel → En sommeil" in html
    assert "Publié : non → oui" in html
    assert timezone.localdate().strftime("%d/%m/%Y") in html
    assert reverse("admin:poles_pole_history", args=[pole.pk]) in html
    # The newest change comes first, each with a link to see or restore that version.
    assert html.index("Publié : non → oui") < html.index("Statut : Opérationnel → En sommeil")
    first_change = pole.history.order_by("history_id")[1]
    revert_url = reverse("admin:poles_pole_simple_history", args=[pole.pk, first_change.history_id])
    assert revert_url in html


def test_history_summary_includes_a_leaders_edit(curator_client):
    pole = PoleFactory(summary="Ancien résumé")
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)
    pole.refresh_from_db()
    pole.summary = "Nouveau résumé"
    pole._history_user = leader
    pole.save()
    html = unescape(
        curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk])).content.decode()
    )
    assert "alice : Fiche modifiée" in html
    assert "Résumé : Ancien résumé → Nouveau résumé" in html


def test_history_is_not_shown_on_the_add_form(curator_client):
    html = curator_client.get(reverse("admin:poles_pole_add")).content.decode()
    assert "Historique des modifications" not in html


def test_saving_over_a_change_made_meanwhile_is_refused_then_allowed(curator_client):
    pole = PoleFactory(is_published=False)
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    opened = pole_form_data(pole, summary="Ma version du résumé.")
    # Meanwhile another curator publishes the pole.
    curator_client.post(CHANGELIST, {"action": "publish", "_selected_action": [pole.pk]})

    response = curator_client.post(url, opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "modifié par ailleurs pendant que vous l&#x27;éditiez" in html
    assert "Ma version du résumé." in html
    pole.refresh_from_db()
    assert pole.summary != "Ma version du résumé." and pole.version == 2

    # The re-displayed form carries the current version: saving again is a knowing choice.
    assert response.context["adminform"].form["loaded_version"].value() == "2"
    assert curator_client.post(url, {**opened, "loaded_version": "2"}).status_code == 302
    pole.refresh_from_db()
    assert pole.summary == "Ma version du résumé." and pole.version == 3


def test_csv_export_of_the_selection(curator_client):
    region = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    sectors = [
        SectorFactory(name="Écoconstruction", slug="ecoconstruction"),
        SectorFactory(name="Énergie", slug="energie"),
    ]
    chosen = PoleFactory(
        name="Pôle d'Ardaynes",
        region=region,
        is_witness=True,
        commune_name="Sedan",
        commune_code="08409",
        website="https://ardaynes.example.org",
        contact_email="contact@ardaynes.example.org",
        sectors=sectors,
    )
    ApplicationFactory(pole=chosen, call=CallFactory(title="Appel à projets 2013"))
    other = PoleFactory(name="Clus'ter Jura", status=Pole.Status.DORMANT, is_published=False)
    PoleFactory(name="Non sélectionné")
    response = curator_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk, other.pk]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="poles-ptce-')
    assert response.content.startswith("\ufeff".encode())
    first_line = response.content.decode("utf-8-sig").splitlines()[0]
    assert first_line == ";".join(f'"{column}"' for column in POLE_CSV_HEADER)
    rows = read_csv(response)
    assert rows[0] == POLE_CSV_HEADER
    assert len(rows) == 3
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    ardaynes = by_name["Pôle d'Ardaynes"]
    assert ardaynes["adresse"].endswith(chosen.get_absolute_url())
    expected = {
        "statut": "Opérationnel", "pôle témoin": "oui", "région": "Grand Est",
        "territoire": "", "commune": "Sedan", "code commune": "08409",
        "secteurs": "Écoconstruction, Énergie",
        "candidatures (ancienne région)": "Appel à projets 2013 : Lauréat",
        "année de création": "", "signature de la charte": "",
        "site web": "https://ardaynes.example.org", "e-mail": "contact@ardaynes.example.org",
        "téléphone": "",
    }
    assert {column: ardaynes[column] for column in expected} == expected
    assert ardaynes["publié"] == "oui"
    jura = by_name["Clus'ter Jura"]
    # Nobody said whether it is a witness pole: an empty cell, not « non ».
    assert (jura["statut"], jura["pôle témoin"], jura["publié"]) == ("En sommeil", "", "non")


def test_the_admin_export_has_the_directory_columns_and_whether_published(
    client, curator_client
):
    pole = PoleFactory()
    public = read_csv(client.get(reverse("poles:pole-export-csv")))
    admin_rows = read_csv(
        curator_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [pole.pk]})
    )
    # The admin's file (the resource's columns) holds every column of the public one but the
    # laureates, which it gives with each application's outcome and former region.
    public_cells = dict(zip(public[0], public[1], strict=True))
    admin_cells = dict(zip(admin_rows[0], admin_rows[1], strict=True))
    shared = set(public_cells) - {"lauréat de"}
    assert {c: admin_cells[c] for c in shared} == {c: public_cells[c] for c in shared}
    assert admin_cells["publié"] in {"oui", "non"}


def test_csv_export_runs_the_same_queries_for_2_or_20_poles(curator_client):
    few, many = csv_export_queries(curator_client, CHANGELIST, Pole, grow_registry)
    assert many == few


def test_call_outcome_filter_lists_the_laureates_of_a_call(curator_client):
    call = CallFactory(title="Appel à projets 2015")
    other_call = CallFactory(title="Appel à projets 2013")
    winner = PoleFactory(name="Gagnant")
    ApplicationFactory(call=call, pole=winner)
    loser = PoleFactory(name="Recalé")
    ApplicationFactory(call=call, pole=loser, outcome=Application.Outcome.NOT_SELECTED)
    ApplicationFactory(call=other_call, pole=loser)  # a laureate, but of another call

    response = curator_client.get(CHANGELIST, {"call_outcome": f"{call.pk}:laureate"})
    assert [p.name for p in response.context["cl"].result_list] == ["Gagnant"]
    assert "Lauréat — Appel à projets 2015" in response.content.decode()
    response = curator_client.get(CHANGELIST, {"call_outcome": f"{call.pk}:not_selected"})
    assert [p.name for p in response.context["cl"].result_list] == ["Recalé"]
    response = curator_client.get(CHANGELIST, {"call_outcome": "x:y"})
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []


def test_filters_by_region_status_witness_sector_and_publication(curator_client):
    sector = SectorFactory()
    target = PoleFactory(
        status=Pole.Status.IN_PROJECT, is_witness=True, is_published=False, sectors=[sector]
    )
    PoleFactory(status=Pole.Status.IN_PROJECT)
    PoleFactory(is_witness=True, is_published=False)
    params = {
        "region__id__exact": target.region_id,
        "status__exact": "in_project",
        "is_witness__exact": "1",
        "sectors__id__exact": sector.pk,
        "is_published__exact": "0",
    }
    for name, value in params.items():
        response = curator_client.get(CHANGELIST, {name: value})
        assert target in response.context["cl"].result_list, name
    response = curator_client.get(CHANGELIST, params)
    assert list(response.context["cl"].result_list) == [target]


def test_search_finds_a_pole_by_territory_or_commune_code(curator_client):
    PoleFactory(name="CBE", territory="Pays d'Ancenis", commune_code="44003")
    PoleFactory(name="Autre")
    response = curator_client.get(CHANGELIST, {"q": "Ancenis"})
    assert [p.name for p in response.context["cl"].result_list] == ["CBE"]
    response = curator_client.get(CHANGELIST, {"q": "44003"})
    assert [p.name for p in response.context["cl"].result_list] == ["CBE"]


def test_changelist_shows_the_current_member_count(curator_client):
    pole = PoleFactory()
    MembershipFactory.create_batch(2, pole=pole)
    MembershipFactory(pole=pole, left_on="2020-01-01")
    response = curator_client.get(CHANGELIST)
    assert response.context["cl"].result_list[0].member_count == 2


def test_change_form_shows_the_inlines(curator_client):
    pole = PoleFactory()
    MembershipFactory(pole=pole, organisation=OrganisationFactory(name="Coopérative Alpha"))
    html = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk])).content.decode()
    assert 'name="memberships-TOTAL_FORMS"' in html and 'name="applications-TOTAL_FORMS"' in html
    assert "Coopérative Alpha" in html


@pytest.fixture(scope="class")
def grown_registry(django_db_setup, django_db_blocker):
    """The changelists' queries counted with 2 poles (and their rows), then 18 more poles."""
    urls = [reverse(f"admin:poles_{model}_changelist") for model in MODELS]
    with counted_then_grown(
        django_db_blocker, urls, lambda: grow_registry(2), lambda: grow_registry(18)
    ) as grown:
        yield grown


class TestChangelistQueries:
    """Every model's changelist on the same rows, written once for the class."""

    @pytest.mark.parametrize("model", MODELS)
    def test_changelists_run_the_same_queries_for_2_or_20_rows(self, grown_registry, model):
        url = reverse(f"admin:poles_{model}_changelist")
        assert grown_registry.count(url) == grown_registry.before(url)


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        reverse("admin:poles_region_changelist"),
        reverse("admin:poles_formerregion_changelist"),
        reverse("admin:poles_commune_changelist"),
        reverse("admin:members_organisation_changelist"),
        reverse("admin:members_membership_changelist"),
        reverse("admin:calls_application_changelist"),
    ],
)
def test_changelists_leave_the_region_outlines_in_the_database(curator_client, url):
    grow_registry(2)
    with CaptureQueriesContext(connection) as queries:
        assert curator_client.get(url).status_code == 200
    assert not [query["sql"] for query in queries if "outline" in query["sql"]]


@pytest.mark.parametrize(
    "url",
    [
        f"{CHANGELIST}?status__exact=operational&is_witness__exact=1",
        f"{reverse('admin:members_organisation_changelist')}?kind__exact=ess",
        f"{reverse('admin:calls_application_changelist')}?outcome__exact=laureate",
    ],
)
def test_a_filtered_changelist_runs_each_query_once(curator_client, url):
    """The list's lookups are tried before the view (``ptce_site.admin_site._lookups_fail``),
    and the view shows the list so read: it used to read it all again."""
    grow_registry(3)
    curator_client.get(url)  # the per-process caches (content types) filled first
    with CaptureQueriesContext(connection) as queries:
        assert curator_client.get(url).status_code == 200
    statements = [query["sql"] for query in queries]
    assert [sql for sql in set(statements) if statements.count(sql) > 1] == []
