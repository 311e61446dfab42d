"""Every fact of a pole's page says where it comes from; « mis à jour » is a person's change."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from poles.models import Pole
from tests.factories import MembershipFactory, PoleFactory, SourceDocumentFactory, UserFactory
from tests.poles.test_admin import pole_form_data
from tests.poles.test_space import form_data, login

pytestmark = pytest.mark.django_db

SEEDED_LAUREATE = "le-damier"


def page_text(pole) -> str:
    """The pole's public page as a visitor reads it (tags out, spaces collapsed)."""
    response = Client().get(reverse("poles:pole-detail", args=[pole.slug]))
    assert response.status_code == 200
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def today() -> str:
    return formats.date_format(timezone.localdate(), "j F Y")


def seeded_pole() -> Pole:
    return Pole.objects.get(slug=SEEDED_LAUREATE)


def test_a_seeded_pole_names_its_source_document_for_each_fact(seeded):
    pole = seeded_pole()
    source = pole.sources.get()
    text = page_text(pole)
    expected = f"source : {source.title}"
    if source.published_on:
        expected += f", {formats.date_format(source.published_on, 'j F Y')}"
    assert expected in text
    # The summary, the region and the sectors the seed gave each say it.
    assert text.count(expected) >= 3
    assert "renseigné par" not in text


def test_the_seed_load_gives_no_updated_date(seeded):
    assert not Pole.objects.filter(content_changed_at__isnull=False).exists()
    text = page_text(seeded_pole())
    assert "mise à jour le" not in text
    assert "Données issues des documents sources ci-dessus" in text
    sitemap = Client().get("/sitemap.xml").content.decode()
    assert f"/poles/{SEEDED_LAUREATE}/</loc><lastmod>" not in sitemap.replace("\n", "")


def test_a_leaders_edit_says_it_comes_from_the_pole_with_its_date(seeded):
    pole = seeded_pole()
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)
    response = login(leader).post(
        reverse("space:edit-pole", args=[pole.slug]),
        form_data(pole, description="Un lieu de création partagé à Clermont-Ferrand."),
    )
    assert response.status_code == 302
    text = page_text(pole)
    description = "Un lieu de création partagé à Clermont-Ferrand."
    assert f"{description} renseigné par le pôle, le {today()}" in text
    # What the leader did not touch still comes from the document.
    assert f"source : {pole.sources.get().title}" in text
    assert f"Fiche mise à jour le {today()}." in text
    pole.refresh_from_db()
    assert pole.content_changed_at is not None


def test_a_staff_edit_in_the_admin_says_it_comes_from_the_registry_team(seeded, curator_client):
    pole = seeded_pole()
    data = pole_form_data(
        pole,
        territory="Agglomération clermontoise",
        sectors=[sector.pk for sector in pole.sectors.all()],
        sources=[source.pk for source in pole.sources.all()],
        is_witness={True: "True", False: "False", None: ""}[pole.is_witness],
    )
    response = curator_client.post(reverse("admin:poles_pole_change", args=[pole.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    text = page_text(pole)
    assert f"Agglomération clermontoise renseigné par l'équipe du registre, le {today()}" in text
    assert f"Fiche mise à jour le {today()}." in text


def test_publishing_is_no_change_of_content(curator_client):
    pole = PoleFactory(is_published=False)
    curator_client.post(
        reverse("admin:poles_pole_changelist"), {"action": "publish", "_selected_action": [pole.pk]}
    )
    pole.refresh_from_db()
    assert pole.is_published and pole.content_changed_at is None


def test_an_admin_save_without_changes_keeps_the_date(curator_client):
    pole = PoleFactory(summary="Coopération industrielle locale.", is_published=True)
    response = curator_client.post(
        reverse("admin:poles_pole_change", args=[pole.pk]), pole_form_data(pole)
    )
    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.content_changed_at is None


def test_facts_of_unknown_origin_or_empty_say_nothing():
    # Written by code without an account and without any source document: unknown.
    pole = PoleFactory(summary="Un résumé venu d'on ne sait où.", is_published=True)
    text = page_text(pole)
    assert "source :" not in text and "renseigné par" not in text
    assert "mise à jour le" not in text


def test_members_added_by_a_leader_say_so():
    pole = PoleFactory(is_published=True)
    pole.sources.add(SourceDocumentFactory(title="Annonce des lauréats"))
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)
    membership = MembershipFactory(pole=pole)
    record = membership.history.latest()
    record.history_user = leader
    record.save()
    text = page_text(pole)
    assert "Organisations membres" in text
    assert f"renseigné par le pôle, le {today()}" in text


def _grow_history(pole, versions: int) -> None:
    staff = UserFactory(is_staff=True)
    leader = UserFactory()
    for number in range(versions):
        pole.summary = f"Version {number}"
        pole._history_user = staff if number % 2 else leader
        pole.save()


def _pole_page_queries(pole) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("poles:pole-detail", args=[pole.slug]))
    assert response.status_code == 200
    return len(queries)


def test_the_pole_page_runs_the_same_queries_for_3_or_60_versions():
    short, long = PoleFactory(is_published=True), PoleFactory(is_published=True)
    _grow_history(short, 2)
    _grow_history(long, 60)
    assert Pole.history.filter(id=long.pk).count() > 60
    assert _pole_page_queries(short) == _pole_page_queries(long)
    assert "Version 59 renseigné par l'équipe du registre" in page_text(long)


def test_provenance_follows_the_last_person_who_changed_each_fact():
    from poles.registry.provenance import POLE, SOURCE, TEAM, pole_provenance

    pole = PoleFactory(summary="Du document", website="https://exemple.org", is_published=True)
    pole.sources.add(SourceDocumentFactory(published_on=datetime.date(2014, 1, 10)))
    pole.website = "https://pole.example.org"
    pole._history_user = UserFactory()
    pole.save()
    pole.territory = "Pays d'Ancenis"
    pole._history_user = UserFactory(is_staff=True)
    pole.save()
    provenance = pole_provenance(Pole.objects.for_detail().get(pk=pole.pk), has_members=False)
    assert provenance["summary"].origin == SOURCE
    assert "10 janvier 2014" in str(provenance["summary"])
    assert provenance["website"].origin == POLE
    assert provenance["territory"].origin == TEAM
    assert "description" not in provenance  # empty: nothing to say


def test_the_migration_dates_existing_poles_from_their_history(
    curator_client, curator, monkeypatch
):
    """``0016_provenance`` fills the new date from the history: people's changes of content
    only (not the seed load, not publishing). Run on today's models, without the column that
    ``0025_charter`` moved into the charter's signatures."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("poles.migrations.0016_provenance")
    monkeypatch.setattr(
        migration, "CONTENT_FIELDS",
        tuple(name for name in migration.CONTENT_FIELDS if name != "charter_signed_on"),
    )
    edited = PoleFactory(summary="Avant", is_published=True)
    edited.summary = "Après"
    edited._history_user = UserFactory()
    edited.save()
    published_only = PoleFactory(is_published=False)
    curator_client.post(
        reverse("admin:poles_pole_changelist"),
        {"action": "publish", "_selected_action": [published_only.pk]},
    )
    untouched = PoleFactory(summary="Du document")
    migration.backfill(apps, None)
    edited_at = edited.history.latest().history_date
    assert Pole.objects.get(pk=edited.pk).content_changed_at == edited_at
    assert Pole.objects.get(pk=published_only.pk).content_changed_at is None
    assert Pole.objects.get(pk=untouched.pk).content_changed_at is None


def test_a_membership_saved_or_deleted_in_its_own_admin_dates_the_poles_page(curator_client):
    from members.models import Membership
    from tests.factories import OrganisationFactory

    pole = PoleFactory(is_published=True)
    organisation = OrganisationFactory()
    response = curator_client.post(
        reverse("admin:members_membership_add"),
        {"pole": pole.pk, "organisation": organisation.pk, "role": "member"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    pole.refresh_from_db()
    added = pole.content_changed_at
    assert added is not None
    membership = Membership.objects.get(pole=pole)
    Pole.objects.filter(pk=pole.pk).update(content_changed_at=None)
    curator_client.post(
        reverse("admin:members_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    pole.refresh_from_db()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert pole.content_changed_at is not None
