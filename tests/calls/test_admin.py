"""Curating calls, milestones and applications in the admin."""

import pytest
from django.urls import reverse

from calls.models import Call
from tests.admin_helpers import inline_management
from tests.factories import ApplicationFactory, CallFactory, MilestoneFactory, PoleFactory

pytestmark = pytest.mark.django_db


def _data(**overrides) -> dict:
    data = {
        "title": "Appel à projets 2015", "slug": "aap-2015", "year": "2015",
        "kind": "interministerial", "applications_received": "180",
        "applications_eligible": "130", "applications_selected": "23",
        **inline_management("milestones"), **inline_management("applications"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ["call", "milestone", "application"])
def test_curator_sees_the_changelists(curator_client, model):
    MilestoneFactory(call=ApplicationFactory().call)
    assert curator_client.get(reverse(f"admin:calls_{model}_changelist")).status_code == 200


def test_call_page_puts_laureates_first_and_lists_them(curator_client):
    call = CallFactory()
    ApplicationFactory(call=call, pole=PoleFactory(name="Aaa recalé"), outcome="not_selected")
    ApplicationFactory(call=call, pole=PoleFactory(name="Zzz lauréat"), region_name_then="Centre")
    response = curator_client.get(reverse("admin:calls_call_change", args=[call.pk]))
    html = response.content.decode()
    assert "<li>Zzz lauréat <span class='help'>(Centre)</span></li>" in html
    formset = next(f for f in response.context["inline_admin_formsets"]
                   if f.formset.prefix == "applications")
    assert [form.instance.pole.name for form in formset.formset.forms][:2] == [
        "Zzz lauréat", "Aaa recalé"
    ]


def test_curator_adds_a_call_with_a_milestone(curator_client):
    data = _data(**{**inline_management("milestones", total=1),
                    "milestones-0-date": "2014-01-10",
                    "milestones-0-label": "Annonce des lauréats"})
    response = curator_client.post(reverse("admin:calls_call_add"), data)
    assert response.status_code == 302
    assert Call.objects.get().milestones.get().label == "Annonce des lauréats"


def test_figures_that_do_not_narrow_are_refused_with_a_clear_message(curator_client):
    response = curator_client.post(reverse("admin:calls_call_add"),
                                   _data(applications_selected="140"))
    assert response.status_code == 200
    assert "ne peut pas dépasser celui des dossiers" in response.content.decode()
    assert not Call.objects.exists()


def test_duplicate_application_is_refused(curator_client):
    application = ApplicationFactory()
    response = curator_client.post(
        reverse("admin:calls_application_add"),
        {"call": application.call_id, "pole": application.pole_id, "outcome": "eligible"},
    )
    assert response.status_code == 200
    assert "déjà une candidature à cet appel" in response.content.decode()
