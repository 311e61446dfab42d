"""Curating poles in the admin, as a curator (staff, not superuser) and as others."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from calls.models import Application
from poles.models import Pole
from tests.admin_helpers import count_queries, inline_management
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

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:poles_pole_changelist")

MODELS = ["region", "formerregion", "commune", "sector", "objective", "sourcedocument", "pole"]


@pytest.mark.parametrize("model", MODELS)
def test_curator_sees_every_changelist(curator_client, model):
    PoleFactory()
    assert curator_client.get(reverse(f"admin:poles_{model}_changelist")).status_code == 200


def test_curator_opens_add_and_change_forms(curator_client):
    pole = PoleFactory()
    assert curator_client.get(reverse("admin:poles_pole_add")).status_code == 200
    response = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Historique des modifications" in html
    assert 'name="memberships-TOTAL_FORMS"' in html and 'name="applications-TOTAL_FORMS"' in html


def test_objectives_and_communes_are_read_only_for_curators(curator_client):
    assert curator_client.get(reverse("admin:poles_objective_add")).status_code == 403
    assert curator_client.get(reverse("admin:poles_commune_add")).status_code == 403


def test_non_staff_user_is_sent_to_the_login(client):
    client.force_login(UserFactory(username="visiteur"))
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_curator_cannot_manage_users(curator_client):
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert "auth/user" not in curator_client.get(reverse("admin:index")).content.decode()


def test_curator_adds_a_pole_with_a_member_and_an_application(curator_client):
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="ara")
    organisation = OrganisationFactory()
    call = CallFactory()
    data = {
        "name": "Pôle Sud Archer",
        "slug": "pole-sud-archer",
        "summary": "Coopération industrielle locale.",
        "status": "operational",
        "region": region.pk,
        **inline_management("memberships", total=1),
        "memberships-0-organisation": organisation.pk,
        "memberships-0-role": "founder",
        **inline_management("applications", total=1),
        "applications-0-call": call.pk,
        "applications-0-outcome": "laureate",
    }
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pole = Pole.objects.get(slug="pole-sud-archer")
    assert pole.memberships.get().role == "founder"
    assert list(Pole.objects.laureates(call)) == [pole]


def test_bad_point_is_refused_with_a_clear_message(curator_client):
    data = {
        "name": "Pôle", "slug": "pole", "status": "operational", "latitude": "123",
        "longitude": "", **inline_management("memberships"),
        **inline_management("applications"),
    }
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "inférieure ou égale à 90" in html
    assert not Pole.objects.exists()


def test_publish_and_unpublish_actions_change_rows_version_and_history(curator_client, curator):
    drafts = PoleFactory.create_batch(2, is_published=False)
    already = PoleFactory(is_published=True)
    response = curator_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [p.pk for p in [*drafts, already]]},
        follow=True,
    )
    assert "2 pôles publiés." in response.content.decode()
    for pole in drafts:
        pole.refresh_from_db()
        assert pole.is_published and pole.version == 2
    already.refresh_from_db()
    assert already.version == 1
    assert LogEntry.objects.filter(user=curator, object_id=str(drafts[0].pk)).count() == 1

    curator_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
    drafts[0].refresh_from_db()
    assert not drafts[0].is_published and drafts[0].version == 3


def test_history_summary_shows_who_changed_what(curator_client, curator):
    pole = PoleFactory(name="Coopaxis", slug="coopaxis")
    data = {
        "name": "Coopaxis", "slug": "coopaxis", "status": "dormant",
        "summary": pole.summary, "region": pole.region_id, "is_published": "on",
        **inline_management("memberships"), **inline_management("applications"),
    }
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    assert curator_client.post(url, data).status_code == 302
    html = curator_client.get(url).content.decode()
    assert "claire" in html and "Statut" in html


def test_csv_export_of_the_selection(curator_client):
    sector = SectorFactory(name="Écoconstruction", slug="ecoconstruction")
    chosen = PoleFactory(name="Ardaynes", is_witness=True, sectors=[sector])
    ApplicationFactory(pole=chosen, call=CallFactory(title="Appel 2013"))
    PoleFactory(name="Autre")
    response = curator_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["nom", "identifiant", "statut", "pôle témoin"]
    assert len(rows) == 2
    assert rows[1][0] == "Ardaynes" and rows[1][3] == "oui"
    assert rows[1][7] == "Écoconstruction" and rows[1][8] == "Appel 2013"


def test_call_outcome_filter_lists_the_laureates_of_a_call(curator_client):
    call = CallFactory()
    winner = PoleFactory(name="Gagnant")
    ApplicationFactory(call=call, pole=winner)
    ApplicationFactory(call=call, pole=PoleFactory(name="Recalé"),
                       outcome=Application.Outcome.NOT_SELECTED)
    response = curator_client.get(CHANGELIST, {"call_outcome": f"{call.pk}:laureate"})
    assert [p.name for p in response.context["cl"].result_list] == ["Gagnant"]
    response = curator_client.get(CHANGELIST, {"call_outcome": "x:y"})
    assert response.status_code == 200


def test_search_finds_a_pole_by_territory(curator_client):
    PoleFactory(name="CBE", territory="Pays d'Ancenis")
    PoleFactory(name="Autre")
    response = curator_client.get(CHANGELIST, {"q": "Ancenis"})
    assert [p.name for p in response.context["cl"].result_list] == ["CBE"]


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        reverse("admin:poles_region_changelist"),
        reverse("admin:members_organisation_changelist"),
        reverse("admin:members_membership_changelist"),
        reverse("admin:calls_call_changelist"),
        reverse("admin:calls_application_changelist"),
    ],
)
def test_changelists_run_a_bounded_number_of_queries(curator_client, url):
    def grow(count):
        for _ in range(count):
            pole = PoleFactory(sectors=[SectorFactory(slug="s", name="S")])
            MembershipFactory(pole=pole)
            ApplicationFactory(pole=pole)

    grow(2)
    few = count_queries(curator_client, url)
    grow(18)
    assert count_queries(curator_client, url) == few
