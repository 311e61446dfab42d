"""Curating calls, milestones and applications in the admin."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from calls.models import Application, Call, Milestone
from tests.admin_conftest_helpers import grow_registry
from tests.admin_helpers import inline_management
from tests.constant_queries import counted_then_grown
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MilestoneFactory,
    PoleFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

CALLS = reverse("admin:calls_call_changelist")
APPLICATIONS = reverse("admin:calls_application_changelist")
MILESTONES = reverse("admin:calls_milestone_changelist")


def call_data(**overrides) -> dict:
    data = {
        "title_fr": "Appel à projets 2015",
        "title_en": "Call for projects 2015",
        "slug": "aap-2015",
        "year": "2015",
        "kind": "interministerial",
        "applications_received": "180",
        "received_unit": "applications",
        "applications_eligible": "130",
        "applications_selected": "23",
        **inline_management("milestones"),
        **inline_management("applications"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ["call", "milestone", "application"])
def test_curator_sees_the_changelists_and_forms(curator_client, model):
    milestone = MilestoneFactory(call=ApplicationFactory().call)
    obj = {
        "call": milestone.call,
        "milestone": milestone,
        "application": Application.objects.get(),
    }[model]
    assert curator_client.get(reverse(f"admin:calls_{model}_changelist")).status_code == 200
    assert curator_client.get(reverse(f"admin:calls_{model}_add")).status_code == 200
    change = reverse(f"admin:calls_{model}_change", args=[obj.pk])
    assert curator_client.get(change).status_code == 200


def test_non_staff_user_is_sent_to_the_login(client, stranger):
    client.force_login(stranger)
    response = client.get(CALLS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_call_page_puts_laureates_first_and_lists_them(curator_client):
    call = CallFactory()
    ApplicationFactory(call=call, pole=PoleFactory(name="Aaa recalé"), outcome="not_selected")
    ApplicationFactory(call=call, pole=PoleFactory(name="Zzz lauréat"), region_name_then="Centre")
    response = curator_client.get(reverse("admin:calls_call_change", args=[call.pk]))
    html = response.content.decode()
    assert '<li>Zzz lauréat <span class="help">(Centre)</span></li>' in html
    assert "Aaa recalé <span" not in html
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "applications"
    )
    assert [form.instance.pole.name for form in formset.formset.forms] == [
        "Zzz lauréat",
        "Aaa recalé",
    ]


def test_call_without_laureates_says_so(curator_client):
    call = CallFactory()
    html = curator_client.get(reverse("admin:calls_call_change", args=[call.pk])).content
    assert "Aucun lauréat enregistré." in html.decode()


def test_curator_adds_a_call_with_a_milestone_and_a_laureate(curator_client):
    pole = PoleFactory()
    data = call_data(
        **inline_management("milestones", total=1),
        **{"milestones-0-date": "2014-01-10", "milestones-0-label_fr": "Annonce des lauréats"},
        **inline_management("applications", total=1),
        **{"applications-0-pole": pole.pk, "applications-0-outcome": "laureate"},
    )
    response = curator_client.post(reverse("admin:calls_call_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call = Call.objects.get()
    assert call.milestones.get().label == "Annonce des lauréats"
    assert call.applications.laureates().get().pole == pole


def test_more_selected_than_eligible_is_refused_with_the_french_message(curator_client):
    response = curator_client.post(
        reverse("admin:calls_call_add"), call_data(applications_selected="140")
    )
    assert response.status_code == 200
    assert (
        "Le nombre de dossiers retenus ne peut pas dépasser celui des dossiers recevables."
        in response.content.decode()
    )
    assert not Call.objects.exists()


def test_results_before_the_closing_are_refused(curator_client):
    data = call_data(launched_on="2015-01-10", closes_on="2015-03-31", results_on="2015-02-01")
    response = curator_client.post(reverse("admin:calls_call_add"), data)
    assert response.status_code == 200
    assert "Les résultats ne peuvent pas précéder la clôture." in response.content.decode()
    assert not Call.objects.exists()


def test_milestone_ending_before_it_starts_is_refused(curator_client):
    call = CallFactory()
    response = curator_client.post(
        reverse("admin:calls_milestone_add"),
        {"call": call.pk, "date": "2015-05-01", "end_date": "2015-04-01", "label": "Jury"},
    )
    assert response.status_code == 200
    assert "La date de fin ne peut pas précéder la date de début." in response.content.decode()
    assert not Milestone.objects.exists()


def test_duplicate_application_is_refused(curator_client):
    application = ApplicationFactory()
    response = curator_client.post(
        reverse("admin:calls_application_add"),
        {"call": application.call_id, "pole": application.pole_id, "outcome": "eligible"},
    )
    assert response.status_code == 200
    assert "Ce pôle a déjà une candidature à cet appel." in response.content.decode()


def test_former_region_of_another_region_is_refused(curator_client):
    pole = PoleFactory(region=RegionFactory(code="53", name="Bretagne", slug="bretagne"))
    elsewhere = FormerRegionFactory(
        code="41", name="Lorraine", slug="lorraine", region=RegionFactory(code="44")
    )
    response = curator_client.post(
        reverse("admin:calls_application_add"),
        {
            "call": CallFactory().pk,
            "pole": pole.pk,
            "outcome": "laureate",
            "former_region": elsewhere.pk,
        },
    )
    assert response.status_code == 200
    assert "alors que le pôle est rattaché à la région Bretagne" in response.content.decode()
    assert not Application.objects.exists()


def test_call_changelist_shows_figures_and_laureate_count(curator_client):
    call = CallFactory(
        applications_received=180, applications_eligible=130, applications_selected=23
    )
    ApplicationFactory.create_batch(2, call=call)
    ApplicationFactory(call=call, outcome=Application.Outcome.NOT_SELECTED)
    response = curator_client.get(CALLS)
    assert response.context["cl"].result_list[0].laureate_count == 2
    html = response.content.decode()
    assert '<td class="field-laureate_count">2</td>' in html
    assert '<td class="field-selection_rate_display">18\xa0%</td>' in html


def test_applications_filter_by_outcome_and_call(curator_client):
    call = CallFactory()
    laureate = ApplicationFactory(call=call)
    ApplicationFactory(call=call, outcome=Application.Outcome.NOT_SELECTED)
    ApplicationFactory()  # a laureate of another call
    params = {"outcome__exact": "laureate", "call__id__exact": call.pk}
    response = curator_client.get(APPLICATIONS, params)
    assert list(response.context["cl"].result_list) == [laureate]


def test_applications_search_by_pole_name(curator_client):
    wanted = ApplicationFactory(pole=PoleFactory(name="Pôle Sud Archer"))
    ApplicationFactory()
    response = curator_client.get(APPLICATIONS, {"q": "archer"})
    assert list(response.context["cl"].result_list) == [wanted]


@pytest.fixture(scope="class")
def grown_registry(django_db_setup, django_db_blocker):
    """The changelists' queries counted with 2 calls (and their rows), then 18 more."""
    with counted_then_grown(
        django_db_blocker,
        [CALLS, APPLICATIONS, MILESTONES],
        lambda: grow_registry(2),
        lambda: grow_registry(18),
    ) as grown:
        yield grown


class TestChangelistQueries:
    """The three changelists on the same rows, written once for the class."""

    @pytest.mark.parametrize("url", [CALLS, APPLICATIONS, MILESTONES])
    def test_changelists_run_the_same_queries_for_2_or_20_rows(self, grown_registry, url):
        assert Call.objects.count() == 20 and Application.objects.count() == 20
        assert grown_registry.count(url) == grown_registry.before(url)


def test_a_date_typed_in_english_reads_as_the_english_pages_write_it(curator_client):
    # The English pages write dates day first (« 08/12/2026 16:40 », ptce_site/formats/en):
    # a curator typing one back in that order gets that day, not a month and day swapped.
    curator_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = call_data(launched_on="08/01/2015", closes_on="25/03/2015", results_on="2015-06-30")
    response = curator_client.post(reverse("admin:calls_call_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    call = Call.objects.get()
    assert (call.launched_on, call.closes_on) == (date(2015, 1, 8), date(2015, 3, 25))
    # The admin's own fields still write and read the unambiguous ISO form.
    page = curator_client.get(reverse("admin:calls_call_change", args=[call.pk]))
    assert 'value="2015-01-08"' in page.content.decode()
