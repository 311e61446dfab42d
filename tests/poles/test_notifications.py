"""Staff are told of leaders' edits: one e-mail per edit, a daily digest, or nothing."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poles.leadership import notifications
from tests.factories import MembershipFactory, UserFactory
from tests.poles.test_space import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(pole):
    user = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    pole.leaders.add(user)
    return user


@pytest.fixture
def staff(curator):
    """Recipients: the curator, plus a superuser; not staff without the permission."""
    UserFactory(username="root", email="root@example.org", is_staff=True, is_superuser=True)
    UserFactory(username="helper", email="helper@example.org", is_staff=True)
    UserFactory(
        username="gone", email="gone@example.org", is_staff=True, is_active=False, is_superuser=True
    )
    UserFactory(username="nomail", email="", is_staff=True, is_superuser=True)
    return curator


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit(client, pole, **changes):
    return client.post(reverse("space:edit-pole", args=[pole.slug]), form_data(pole, **changes))


def test_recipients_are_active_staff_allowed_to_change_poles_with_an_email(staff, settings):
    settings.STAFF_NOTIFICATION_EMAILS = []
    assert notifications.recipients() == ["claire@example.org", "root@example.org"]
    settings.STAFF_NOTIFICATION_EMAILS = ["registre@example.org"]
    assert notifications.recipients() == ["registre@example.org"]


def test_permission_given_directly_counts(settings, db):
    settings.STAFF_NOTIFICATION_EMAILS = []
    user = UserFactory(username="direct", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_pole"))
    assert notifications.recipients() == ["direct@example.org"]


def test_each_mode_sends_one_email_per_edit_after_commit(
    alice, staff, pole, settings, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = edit(login(alice), pole, summary="Un pôle qui rénove.", status="dormant")
    assert response.status_code == 302
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["claire@example.org", "root@example.org"]
    assert "Alice Martin (alice) a modifié « Pôle Sud Archer »" in message.subject
    assert (
        "Résumé : Un pôle de coopération économique sur son territoire. → Un pôle qui rénove."
        in message.body
    )
    assert "Statut : Opérationnel → En sommeil" in message.body
    history_id = pole.history.latest().history_id
    admin_link = reverse("admin:poles_pole_simple_history", args=[pole.pk, history_id])
    assert f"http://testserver{admin_link}" in message.body
    assert f"http://testserver{pole.get_absolute_url()}" in message.body


def test_each_mode_reports_member_changes(
    alice, staff, pole, settings, django_capture_on_commit_callbacks
):
    from tests.poles.test_space_members import members_data

    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    membership = MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    data = members_data(pole, rows=[{"membership": membership, "left_on": "2024-06-30"}])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice).post(reverse("space:pole-members", args=[pole.slug]), data)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Adhésion modifiée : Coopérative Archer (Membre)" in body
    assert "Départ le : — → 30 juin 2024" in body


def test_staff_edits_are_not_reported(
    curator, staff, pole, settings, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(login(curator), pole, summary="Par l'équipe").status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize("mode", ["off", "daily"])
def test_no_email_at_save_time_when_off_or_daily(
    alice, staff, pole, settings, mode, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = mode
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(login(alice), pole, summary="Discret").status_code == 302
    assert mail.outbox == []


def test_mail_server_failure_does_not_break_the_save(
    alice, staff, pole, settings, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"

    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_claims.BrokenBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert edit(login(alice), pole, summary="Malgré tout").status_code == 302
    pole.refresh_from_db()
    assert pole.summary == "Malgré tout"


def test_daily_digest_lists_the_days_leader_edits(
    alice, staff, pole, settings, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = "daily"
    settings.SITE_URL = "https://ptce.example.org"
    edit(login(alice), pole, summary="Premier jet")
    pole.refresh_from_db()
    edit(login(alice), pole, summary="Version finale")
    pole.refresh_from_db()
    edit(login(staff), pole, website="https://archer.example")  # staff: not in the digest
    today = timezone.localdate().isoformat()

    call_command("send_edit_digest", date=today, stdout=open("/dev/null", "w"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Modifications des porteurs du" in message.subject and "1 pôle" in message.subject
    body = message.body
    assert "== Pôle Sud Archer ==" in body
    assert body.count("Alice Martin (alice)") == 2
    assert "Premier jet → Version finale" in body
    assert "archer.example" not in body
    assert "https://ptce.example.org/admin/poles/pole/" in body

    mail.outbox.clear()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    call_command("send_edit_digest", date=yesterday, stdout=open("/dev/null", "w"))
    assert mail.outbox == []


def test_digest_command_does_nothing_unless_daily(alice, staff, pole, settings, capsys):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    edit(login(alice), pole, summary="Édité")
    call_command("send_edit_digest", date=timezone.localdate().isoformat())
    assert mail.outbox == []
    call_command("send_edit_digest", date=timezone.localdate().isoformat(), force=True)
    assert len(mail.outbox) == 1


def test_digest_command_refuses_a_bad_date(settings):
    from django.core.management.base import CommandError

    settings.LEADER_EDIT_NOTIFICATIONS = "daily"
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_edit_digest", date="hier")
