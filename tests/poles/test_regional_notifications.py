"""Regional curators (issue #16) outside the admin's lists: the e-mails about a pole reach the
curators of its region (national curators when it has none, or always by the setting), the
region's public page names the curating organisation, the command and the user admin give
an account its regions."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from poles.leadership import notifications, services
from poles.leadership.proposals.services import notify_staff
from poles.models import PoleProposal, RegionalCurator
from ptce_site.curators import REGIONAL_CURATORS_GROUP
from tests.factories import CuratorFactory, PoleFactory, RegionFactory, UserFactory
from tests.poles.test_notifications import edit, login
from tests.poles.test_regional_curators import regional_curator

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions(curator, settings):
    """Region A has a regional curator (rita), region C none; claire is national."""
    settings.STAFF_NOTIFICATION_EMAILS = []
    region_a, region_c = RegionFactory(name="Région A"), RegionFactory(name="Région C")
    regional_curator(region_a)
    return region_a, region_c


def test_emails_about_a_pole_go_to_its_regions_curators(regions, settings):
    region_a, region_c = regions
    assert notifications.recipients(region_a.pk) == ["rita@example.org"]
    assert notifications.recipients(region_c.pk) == ["claire@example.org"]
    assert notifications.recipients() == ["claire@example.org"]  # the contact form's
    settings.NATIONAL_CURATORS_NOTIFIED = "always"
    assert notifications.recipients(region_a.pk) == ["claire@example.org", "rita@example.org"]
    settings.STAFF_NOTIFICATION_EMAILS = ["registre@example.org"]
    assert notifications.recipients(region_a.pk) == ["registre@example.org", "rita@example.org"]


def test_claims_and_proposals_reach_the_right_curators(regions):
    region_a, region_c = regions
    services.create_claim_request(
        pole=PoleFactory(region=region_a), name="Ana", role="r", email="ana@example.org"
    )
    proposal = PoleProposal.objects.create(
        name="Pôle C", region=region_c, proposer_name="Léa", proposer_email="lea@example.org",
        token_hash="t", status=PoleProposal.Status.PENDING,
    )
    notify_staff(proposal=proposal)
    assert [message.to for message in mail.outbox] == [
        ["rita@example.org"],
        ["claire@example.org"],
    ]


def test_the_daily_digest_is_split_by_region(regions, settings):
    region_a, region_c = regions
    settings.LEADER_EDIT_NOTIFICATIONS = "daily"
    for region, name in ((region_a, "alba"), (region_c, "cyra")):
        pole = PoleFactory(region=region, name=f"Pôle de {name}")
        leader = UserFactory(username=name)
        pole.leaders.add(leader)
        edit(login(leader), pole, summary=f"Résumé de {name}")
    start = timezone.now() - datetime.timedelta(hours=1)
    assert notifications.send_digest(start, timezone.now()) == 2
    sent = {tuple(message.to): message.body for message in mail.outbox}
    assert set(sent) == {("rita@example.org",), ("claire@example.org",)}
    assert "Pôle de alba" in sent["rita@example.org",]
    assert "Pôle de alba" not in sent["claire@example.org",]


def test_the_region_page_names_the_curating_organisation(client, regions):
    region_a, region_c = regions
    html = client.get(region_a.get_absolute_url()).content.decode()
    assert "suivis dans le registre par CRESS A." in html
    assert f'href="{reverse("contact")}"' in html
    assert "suivis dans le registre" not in client.get(region_c.get_absolute_url()).content.decode()


def test_create_curator_gives_regions(db, monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "motdepasse-solide-2026")
    region = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    CuratorFactory(username="bea")
    call_command(
        "create_curator", "bea", "bea@example.org", "--region", "53",
        "--organisation", "CRESS  Bretagne", stdout=open("/dev/null", "w"),
    )
    profile = RegionalCurator.objects.get(user__username="bea")
    assert profile.organisation_name == "CRESS Bretagne"
    assert list(profile.regions.all()) == [region]
    assert [group.name for group in profile.user.groups.all()] == [REGIONAL_CURATORS_GROUP]
    with pytest.raises(Exception, match="Aucune région"):
        call_command("create_curator", "bea", "bea@example.org", "--region", "Atlantide")


def test_administrators_give_regions_in_the_user_admin(client, regions):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    rita = RegionalCurator.objects.get().user
    html = client.get(reverse("admin:auth_user_change", args=[rita.pk])).content.decode()
    assert "regional_curator-0-regions" in html and "CRESS A" in html


def test_create_curator_without_a_terminal_asks_for_the_variable(db, monkeypatch):
    """Run by a script (no terminal, no CURATOR_PASSWORD): a clear message, no account left
    without a password."""
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    monkeypatch.delenv("CURATOR_PASSWORD", raising=False)
    monkeypatch.setattr("getpass.getpass", lambda prompt: (_ for _ in ()).throw(EOFError))
    with pytest.raises(CommandError, match="CURATOR_PASSWORD"):
        call_command("create_curator", "cyril", "cyril@example.org")
    assert not get_user_model().objects.filter(username="cyril").exists()
