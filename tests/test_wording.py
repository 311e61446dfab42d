"""Words that agree: the filters' empty choices and the admin's action labels agree with what
they name in gender and number (« Toutes les régions », « Supprimer les organisations
sélectionnées »), in French, and read naturally in English."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from ptce_site.admin_wording import FEMININE_MODELS, MASCULINE_MODELS, delete_selected_label

pytestmark = pytest.mark.django_db

SELECT = re.compile(r'<select name="(?P<name>\w+)"[^>]*>\s*<option value=""[^>]*>(?P<empty>[^<]*)<')


def empty_choices(response) -> dict[str, str]:
    return {m["name"]: m["empty"] for m in SELECT.finditer(response.content.decode())}


def test_directory_empty_choices_agree_with_their_filter(client):
    choices = empty_choices(client.get(reverse("poles:pole-list")))
    assert choices == {
        "region": "Toutes les régions",
        "former_region": "Toutes les anciennes régions",
        "status": "Tous les statuts",
        "witness": "Témoins ou non",
        "sector": "Tous les secteurs",
        "objective": "Tous les objectifs",
        "member_kind": "Tous les types de membres",
        "call": "Tous les appels",
        "outcome": "Tous les résultats",
        "charter": "Signataires ou non",
    }


def test_organisations_directory_empty_choices_agree(client):
    choices = empty_choices(client.get(reverse("members:organisation-list")))
    assert choices == {
        "kind": "Tous les types",
        "legal_form": "Toutes les formes juridiques",
        "region": "Toutes les régions",
    }


def test_every_registered_model_has_a_declared_gender():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= FEMININE_MODELS | MASCULINE_MODELS, registered - (
        FEMININE_MODELS | MASCULINE_MODELS
    )
    assert not FEMININE_MODELS & MASCULINE_MODELS


def action_labels(admin_user, rf, model) -> dict[str, str]:
    request = rf.get("/")
    request.user = admin_user
    return dict(admin.site._registry[model].get_action_choices(request, default_choices=[]))


def test_admin_delete_actions_agree_with_each_model(admin_user, rf):
    expected = {
        "poles.pole": "Supprimer les pôles sélectionnés",
        "members.organisation": "Supprimer les organisations sélectionnées",
        "members.membership": "Supprimer les adhésions sélectionnées",
        "calls.call": "Supprimer les appels sélectionnés",
        "calls.application": "Supprimer les candidatures sélectionnées",
        "poles.region": "Supprimer les régions sélectionnées",
        "auth.user": "Supprimer les utilisateurs sélectionnés",
    }
    for model in admin.site._registry:
        labels = action_labels(admin_user, rf, model)
        for label in labels.values():
            assert "(e)" not in label and "(s)" not in label, (model, label)
        if "delete_selected" in labels:
            assert labels["delete_selected"] == delete_selected_label(model)
            if model._meta.label_lower in expected:
                assert labels["delete_selected"] == expected.pop(model._meta.label_lower)
    assert not expected


def test_the_poles_changelist_shows_the_agreeing_label(admin_client, pole):
    response = admin_client.get(reverse("admin:poles_pole_changelist"))
    assert '<option value="delete_selected">Supprimer les pôles sélectionnés</option>' in (
        response.content.decode()
    )


def test_admin_delete_action_reads_naturally_in_english(admin_client):
    from poles.models import Pole

    with translation.override("en"):
        assert delete_selected_label(Pole) == "Delete selected clusters"


def test_the_english_catalogue_says_cluster_and_winner_never_pole_or_laureate():
    """The glossary: « pôle » is "cluster", « lauréat » "winner" (codes, URLs and the API's
    field names excepted)."""
    catalogue = translation.trans_real.translation("en")._catalog
    words = re.compile(r"\bpoles?\b|laureate", re.IGNORECASE)
    code = re.compile(r"%\(\w+\)s|<code>.*?</code>|/poles/|poles\.\w+|\{\w+\}")
    wrong = [
        text for _key, text in catalogue.items()
        if isinstance(text, str) and words.search(code.sub("", text))
    ]
    assert wrong == []


def test_english_names_a_region_without_the_region_of_the(client):
    """« La région La Réunion » is not "the La Réunion region": "clusters in La Réunion"."""
    from tests.factories import RegionFactory

    region = RegionFactory(code="04", name="La Réunion", slug="la-reunion")
    pages = [region.get_absolute_url(), f"{reverse('poles:network')}?region={region.slug}"]
    for url in pages:
        html = client.get(url, {"lang": "en"}).content.decode()
        assert "the La Réunion region" not in html and "The La Réunion region" not in html, url
    page = client.get(region.get_absolute_url(), {"lang": "en"}).content.decode()
    assert "Clusters in La Réunion" in page and "published in La Réunion." in page
    network = client.get(reverse("poles:network"), {"region": region.slug, "lang": "en"})
    assert "Network of the clusters in La Réunion" in network.content.decode()
