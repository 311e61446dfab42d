"""The history of poles and memberships in the admin: who changed what, and reverting."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Membership
from poles.models import Pole
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    SectorFactory,
    UserFactory,
)
from tests.poles.test_admin import CHANGELIST, pole_form_data
from tests.poles.test_space import form_data

pytestmark = pytest.mark.django_db


def history_url(pole) -> str:
    return reverse("admin:poles_pole_history", args=[pole.pk])


def revert_url(pole, record) -> str:
    return reverse("admin:poles_pole_simple_history", args=[pole.pk, record.history_id])


def test_a_leaders_edit_is_in_the_admin_history_with_who_and_what(curator_client):
    pole = PoleFactory(summary="Avant")
    leader = UserFactory(username="alice", first_name="Alice", last_name="Durand")
    pole.leaders.add(leader)
    client = Client()
    client.force_login(leader)
    response = client.post(
        reverse("space:edit-pole", args=[pole.slug]), form_data(pole, summary="Après")
    )
    assert response.status_code == 302
    record = pole.history.latest()
    assert record.history_user == leader and record.summary == "Après"

    html = curator_client.get(history_url(pole)).content.decode()
    assert "alice" in html
    assert "Avant" in html and "Après" in html


def test_curator_reverts_a_pole_to_an_earlier_version(curator_client, curator):
    pole = PoleFactory(summary="Texte d'origine", status="operational")
    pole.summary, pole.status = "Texte vandalisé", "dissolved"
    pole.save()
    original = pole.history.earliest()
    page = curator_client.get(revert_url(pole, original))
    assert page.status_code == 200
    assert "Texte d&#x27;origine" in page.content.decode()

    pole.refresh_from_db()
    data = pole_form_data(
        pole, summary=original.summary, status=original.status, loaded_version=pole.version
    )
    response = curator_client.post(revert_url(pole, original), data)
    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.summary == "Texte d'origine" and pole.status == "operational"
    # Versions only go forward, even when an old version comes back.
    assert pole.version == 3
    assert pole.history.latest().history_user == curator


def test_a_revert_does_not_overwrite_a_change_made_meanwhile(curator_client):
    pole = PoleFactory(summary="Un")
    pole.summary = "Deux"
    pole.save()
    original = pole.history.earliest()
    opened_version = pole.version
    Pole.objects.get(pk=pole.pk).save()  # someone else saves in between
    data = pole_form_data(pole, summary="Un", loaded_version=opened_version)
    response = curator_client.post(revert_url(pole, original), data)
    assert response.status_code == 200
    assert "a été modifié par ailleurs" in response.content.decode()
    pole.refresh_from_db()
    assert pole.summary == "Deux"


def test_publishing_in_bulk_is_recorded_in_the_history(curator_client, curator):
    poles = PoleFactory.create_batch(2, is_published=False)
    curator_client.post(
        CHANGELIST, {"action": "publish", "_selected_action": [p.pk for p in poles]}
    )
    for pole in poles:
        record = pole.history.latest()
        assert record.is_published and record.history_user == curator
        assert record.version == 2
        changed = {c.field for c in record.diff_against(record.prev_record).changes}
        assert "is_published" in changed


def test_a_membership_changed_in_the_admin_is_recorded_with_its_author(curator_client, curator):
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    url = reverse("admin:members_membership_change", args=[membership.pk])
    response = curator_client.post(
        url,
        {
            "pole": membership.pole_id,
            "organisation": membership.organisation_id,
            "role": Membership.Role.FUNDER,
            "joined_on": "",
            "left_on": "2025-06-30",
        },
    )
    assert response.status_code == 302
    record = membership.history.latest()
    assert record.history_user == curator
    changed = {c.field for c in record.diff_against(record.prev_record).changes}
    assert changed == {"role", "left_on"}
    html = curator_client.get(
        reverse("admin:members_membership_history", args=[membership.pk])
    ).content.decode()
    assert "Financeur" in html or "funder" in html


def test_organisations_created_by_leaders_can_be_listed_apart(curator_client):
    leader = UserFactory(username="alice")
    OrganisationFactory(name="Ressourcerie du Val", created_by=leader)
    OrganisationFactory(name="Fonderie Coopérative")
    url = reverse("admin:members_organisation_changelist")
    html = curator_client.get(url, {"origin": "leader"}).content.decode()
    assert "Ressourcerie du Val" in html and "Fonderie Coopérative" not in html


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def post_logo(curator_client, pole, upload):
    pole.refresh_from_db()
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    return curator_client.post(url, {**pole_form_data(pole), "logo": upload})


def test_admin_logo_uploads_get_the_same_checks_and_old_files_go(
    curator_client, media_root, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import image_bytes

    pole = PoleFactory()
    fake = SimpleUploadedFile("logo.png", b"pas une image", content_type="image/png")
    response = post_logo(curator_client, pole, fake)
    assert response.status_code == 200
    pole.refresh_from_db()
    assert not pole.logo

    first = SimpleUploadedFile("a.png", image_bytes("PNG", (1200, 600)), content_type="image/png")
    assert post_logo(curator_client, pole, first).status_code == 302
    pole.refresh_from_db()
    first_name = pole.logo.name
    assert first_name.startswith("logos/") and first_name.endswith(".webp")
    assert (media_root / first_name).exists()

    second = SimpleUploadedFile("b.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_logo(curator_client, pole, second).status_code == 302
    pole.refresh_from_db()
    assert pole.logo.name != first_name and (media_root / pole.logo.name).exists()
    assert not (media_root / first_name).exists()

    # Restoring the version that named the deleted file keeps the current logo.
    old_version = pole.history.filter(logo=first_name).latest()
    current_logo = pole.logo.name
    data = pole_form_data(pole, loaded_version=pole.version)
    response = curator_client.post(revert_url(pole, old_version), data)
    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.logo.name == current_logo


@pytest.mark.parametrize(
    "path",
    ["{pk}/change/history/", "abc/history/", "{pk}/history/xyz/", "{pk}/history/999999/"],
)
def test_malformed_history_addresses_answer_404(curator_client, path):
    pole = PoleFactory()
    url = reverse("admin:poles_pole_changelist") + path.format(pk=pole.pk)
    assert curator_client.get(url).status_code == 404


def _grow_leadership(count: int) -> None:
    """Poles with a claim request, an invitation, history entries and a membership each."""
    from poles.leadership import services

    curator = UserFactory(username=f"staff{count}", is_staff=True)
    for n in range(count):
        pole = PoleFactory(is_published=True)
        pole.summary = f"Version {n}"
        pole.save()
        MembershipFactory(pole=pole)
        services.create_claim_request(
            pole=pole, name="Nadia", role="Coordinatrice", email=f"n{n}@example.org", message=""
        )
        services.invite_leader(pole=pole, email=f"leader{n}@example.org", invited_by=curator)


LEADERSHIP_CHANGELISTS = [
    reverse("admin:poles_claimrequest_changelist"),
    reverse("admin:poles_invitation_changelist"),
    reverse("admin:members_organisation_changelist") + "?origin=leader",
]


@pytest.fixture(scope="class")
def grown_leadership(django_db_setup, django_db_blocker):
    """The leadership changelists' queries counted with 2 poles (claims, invitations,
    history, members), then 10 more poles."""
    from tests.constant_queries import counted_then_grown

    with counted_then_grown(
        django_db_blocker,
        LEADERSHIP_CHANGELISTS,
        lambda: _grow_leadership(2),
        lambda: _grow_leadership(10),
    ) as grown:
        yield grown


class TestLeadershipChangelistQueries:
    """The three changelists on the same rows, written once for the class."""

    @pytest.mark.parametrize("url", LEADERSHIP_CHANGELISTS)
    def test_leadership_changelists_run_the_same_queries_for_2_or_12_rows(
        self, grown_leadership, url
    ):
        assert grown_leadership.count(url) == grown_leadership.before(url)


def test_the_pole_history_runs_constant_queries(curator_client):
    from tests.admin_helpers import count_queries

    pole = PoleFactory()
    history = reverse("admin:poles_pole_history", args=[pole.pk])

    def edit(times: int) -> None:
        for n in range(times):
            pole.summary = f"Version {n}"
            pole.save()
            pole.sectors.add(SectorFactory())

    edit(2)
    curator_client.get(history)  # the per-process caches (content types) filled first
    few = count_queries(curator_client, history)
    edit(10)
    assert count_queries(curator_client, history) == few
    html = unescape(curator_client.get(history).content.decode())
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Résumé : Version 8 → Version 9" in text
    assert "Secteurs d'activité" in html
