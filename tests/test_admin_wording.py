"""The admin's titles, add button, filters and sections in French that agrees with what they
name (« Choisissez l'organisation à modifier », « Nouvel événement », « Ajouter une
organisation », a filter headed « Publié »), where Django writes « Sélectionnez l'objet
organisation à changer », « Ajout de événement », « Ajouter organisation », « Par publié »;
Django's own English kept."""

import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from ptce_site.admin_wording import (
    ADD,
    CHANGE,
    CHOOSE_TO_CHANGE,
    FEMININE_MODELS,
    MASCULINE_MODELS,
    NEW,
    naming,
)

pytestmark = pytest.mark.django_db

# An article that French elides before a vowel: « le événement », « la organisation ».
ELIDED = re.compile(r"\b(le|la|de le) [aeiouyéèêàâîôh]", re.IGNORECASE)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


@pytest.mark.parametrize(
    ("model", "choose", "new", "add", "change"),
    [
        ("poles.pole", "Choisissez le pôle à modifier", "Nouveau pôle", "Ajouter un pôle",
         "Modification du pôle"),
        ("members.organisation", "Choisissez l'organisation à modifier",
         "Nouvelle organisation", "Ajouter une organisation", "Modification de l'organisation"),
        ("poles.region", "Choisissez la région à modifier", "Nouvelle région",
         "Ajouter une région", "Modification de la région"),
        ("poles.event", "Choisissez l'événement à modifier", "Nouvel événement",
         "Ajouter un événement", "Modification de l'événement"),
        ("poles.yearlyindicators", "Choisissez les indicateurs annuels à modifier",
         "Nouveaux indicateurs annuels", "Ajouter des indicateurs annuels",
         "Modification des indicateurs annuels"),
    ],
)
def test_the_titles_agree_with_each_model(admin_client, model, choose, new, add, change):
    registered = next(m for m in admin.site._registry if m._meta.label_lower == model)
    app, name = model.split(".")
    changelist = page(admin_client, reverse(f"admin:{app}_{name}_changelist"))
    assert f"<title>{choose} |" in changelist and f"<h1>{choose}</h1>" in changelist
    assert add in changelist  # the add button
    assert f"<title>{new} |" in page(admin_client, reverse(f"admin:{app}_{name}_add"))
    assert naming(registered, CHANGE) == change


def test_a_change_page_is_titled_in_words_that_agree(admin_client, pole):
    html = page(admin_client, reverse("admin:poles_pole_change", args=[pole.pk]))
    assert "Modification du pôle" in html and "Modification de pôle" not in html


def test_a_view_only_changelist_says_consult(curator_client):
    """Curators see the objectives without changing them."""
    html = page(curator_client, reverse("admin:poles_objective_changelist"))
    assert "<h1>Choisissez l'objectif à consulter</h1>" in html


def test_every_registered_model_is_named_without_django_s_object_wording(admin_user):
    for model in admin.site._registry:
        for labels in (CHOOSE_TO_CHANGE, NEW, ADD, CHANGE):
            text = naming(model, labels)
            assert str(model._meta.verbose_name) in text
            assert "l'objet" not in text and not ELIDED.search(text), text


def test_filters_are_headed_by_their_name_and_the_lockout_section_says_what_it_is(
    admin_client, pole
):
    html = page(admin_client, reverse("admin:poles_pole_changelist"))
    assert "Par publié" not in html and "Par statut" not in html
    assert "<summary>\n    Publié\n  </summary>" in html
    assert "Mis à jour le :" in html and "Filtrer par mis à jour le" not in html
    assert "Sécurité des connexions" in page(admin_client, reverse("admin:index"))


def test_english_keeps_django_s_words(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(admin_client, reverse("admin:poles_pole_changelist"))
    assert "Select cluster to change" in html and "Add cluster" in html


def test_a_new_object_s_breadcrumb_buttons_and_inline_rows_agree(admin_client):
    html = page(admin_client, reverse("admin:members_organisation_add"))
    assert '<li aria-current="page">Nouvelle organisation</li>' in html
    assert 'value="Enregistrer et en ajouter une autre"' in html
    assert 'value="Enregistrer"' in html  # Django's own words stay Django's French
    assert '"addText": "Ajouter une autre adh\\u00e9sion"' in html  # the inline's script
    assert "Ajouter un objet" not in html


def test_every_inline_s_model_has_a_declared_gender():
    inline_models = {
        inline.model._meta.label_lower
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    assert inline_models <= FEMININE_MODELS | MASCULINE_MODELS, inline_models - (
        FEMININE_MODELS | MASCULINE_MODELS
    )
