"""Curating poles and the reference data in the admin, as a curator (staff, not superuser)
and as others."""


import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from poles.models import Commune, FormerRegion, Objective, Pole, Region, Sector, SourceDocument
from tests.admin_conftest_helpers import grow_registry
from tests.admin_helpers import inline_management
from tests.factories import (
    CallFactory,
    CharterFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:poles_pole_changelist")

MODELS = {
    "region": Region,
    "formerregion": FormerRegion,
    "commune": Commune,
    "sector": Sector,
    "objective": Objective,
    "sourcedocument": SourceDocument,
    "pole": Pole,
}
EDITABLE_MODELS = ["region", "formerregion", "sector", "sourcedocument", "pole"]

# The directory's columns (tests/poles/test_views.py), then whether the pole is published.
# The admin's columns come from the import/export resource (poles/registry/resources.py).
POLE_CSV_HEADER = [
    "nom", "identifiant", "statut", "pôle témoin", "résumé", "description", "région",
    "territoire", "code commune", "commune", "latitude", "longitude", "secteurs", "objectifs",
    "année de création", "signature de la charte", "site web", "e-mail", "téléphone", "publié",
    "adresse", "candidatures (ancienne région)", "mis à jour le",
]


def pole_form_data(pole=None, **overrides) -> dict:
    """What the pole change form posts, with empty inlines."""
    data = {
        "name": "Pôle Sud Archer",
        "slug": "pole-sud-archer",
        "summary": "Coopération industrielle locale.",
        "status": "operational",
        **inline_management("memberships"),
        **inline_management("applications"),
        **inline_management("charter_signatures"),
    }
    if pole is not None:
        data.update(
            name=pole.name,
            slug=pole.slug,
            summary=pole.summary,
            status=pole.status,
            region=pole.region_id or "",
            loaded_version=pole.version,
        )
        if pole.is_published:
            data["is_published"] = "on"
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", MODELS)
def test_curator_sees_every_changelist(curator_client, model):
    grow_registry(2)
    assert curator_client.get(reverse(f"admin:poles_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_curator_opens_every_change_form(curator_client, model):
    grow_registry(1)
    obj = MODELS[model].objects.first()
    response = curator_client.get(reverse(f"admin:poles_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("model", EDITABLE_MODELS)
def test_curator_opens_every_add_form(curator_client, model):
    assert curator_client.get(reverse(f"admin:poles_{model}_add")).status_code == 200


def test_objectives_and_communes_are_read_only_for_curators(curator_client):
    assert curator_client.get(reverse("admin:poles_objective_add")).status_code == 403
    assert curator_client.get(reverse("admin:poles_commune_add")).status_code == 403
    objective = Objective.objects.first()
    response = curator_client.get(reverse("admin:poles_objective_change", args=[objective.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_nobody_adds_or_deletes_one_of_the_eight_objectives(admin_client):
    objective = Objective.objects.first()
    assert admin_client.get(reverse("admin:poles_objective_add")).status_code == 403
    delete = reverse("admin:poles_objective_delete", args=[objective.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Objective.objects.count() == 8


def test_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_non_staff_user_is_sent_to_the_login(client, stranger):
    client.force_login(stranger)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": []})
    assert response.status_code == 302


def test_curator_cannot_manage_users(curator_client):
    assert curator_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert curator_client.get(reverse("admin:auth_user_add")).status_code == 403
    assert curator_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    index = curator_client.get(reverse("admin:index")).content.decode()
    assert "/admin/auth/user/" not in index and "/admin/poles/pole/" in index


def test_curator_adds_a_pole_with_a_member_and_an_application(curator_client):
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="ara")
    organisation = OrganisationFactory()
    call = CallFactory()
    sector = SectorFactory()
    data = pole_form_data(
        region=region.pk,
        sectors=[sector.pk],
        objectives=[Objective.objects.get(code="mutualisation").pk],
        **inline_management("memberships", total=1),
        **{"memberships-0-organisation": organisation.pk, "memberships-0-role": "founder"},
        **inline_management("applications", total=1),
        **{"applications-0-call": call.pk, "applications-0-outcome": "laureate"},
    )
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pole = Pole.objects.get(slug="pole-sud-archer")
    assert pole.memberships.get().organisation == organisation
    assert list(pole.sectors.all()) == [sector]
    assert pole.objectives.get().code == "mutualisation"
    assert pole.applications.get().call == call
    assert LogEntry.objects.get(object_id=str(pole.pk)).is_addition()


def test_a_member_added_twice_with_the_same_role_is_refused(curator_client):
    organisation = OrganisationFactory()
    data = pole_form_data(
        **inline_management("memberships", total=2),
        **{f"memberships-{i}-organisation": organisation.pk for i in range(2)},
        **{f"memberships-{i}-role": "member" for i in range(2)},
    )
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 200
    assert "Corrigez les données en double" in response.content.decode()
    assert not Pole.objects.exists()


def test_bad_point_is_refused_with_a_clear_message(curator_client):
    data = pole_form_data(latitude="123", longitude="")
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "inférieure ou égale à 90" in html
    assert not Pole.objects.exists()


def test_charter_date_before_the_charter_is_refused_with_a_clear_message(curator_client):
    charter = CharterFactory()
    data = {
        **pole_form_data(),
        **inline_management("charter_signatures", total=1),
        "charter_signatures-0-charter": charter.pk,
        "charter_signatures-0-signed_on": "2013-05-01",
    }
    response = curator_client.post(reverse("admin:poles_pole_add"), data)
    assert response.status_code == 200
    assert "La charte date du 19 septembre 2014" in response.content.decode()
    assert not Pole.objects.exists()


def test_publish_and_unpublish_actions_change_rows_version_and_history(curator_client, curator):
    drafts = PoleFactory.create_batch(2, is_published=False)
    already = PoleFactory(is_published=True)
    response = curator_client.post(
        CHANGELIST,
        {"action": "publish", "_selected_action": [p.pk for p in [*drafts, already]]},
        follow=True,
    )
    assert "2 pôles publiés. 1 l&#x27;était déjà." in response.content.decode()
    for pole in drafts:
        pole.refresh_from_db()
        assert pole.is_published and pole.version == 2
    already.refresh_from_db()
    assert already.version == 1
    entry = LogEntry.objects.get(user=curator, object_id=str(drafts[0].pk))
    assert entry.is_change() and entry.get_change_message() == "Modification de Publié."
    assert not LogEntry.objects.filter(object_id=str(already.pk)).exists()

    response = curator_client.post(
        CHANGELIST, {"action": "unpublish", "_selected_action": [drafts[0].pk]}, follow=True
    )
    assert "1 pôle retiré du site public." in response.content.decode()
    drafts[0].refresh_from_db()
    assert not drafts[0].is_published and drafts[0].version == 3
    assert LogEntry.objects.filter(object_id=str(drafts[0].pk)).count() == 2


def test_publishing_poles_already_published_says_so(curator_client):
    pole = PoleFactory(is_published=True)
    response = curator_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [pole.pk]}, follow=True
    )
    assert "0 pôle publié. 1 l&#x27;était déjà." in response.content.decode()
    pole.refresh_from_db()
    assert pole.version == 1
