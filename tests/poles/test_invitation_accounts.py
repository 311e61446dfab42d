"""An invitation never activates, nor sets the password of, a staff account or an account an
administrator deactivated; the curator is told why (issue #10, item 2)."""

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from poles.leadership import services
from poles.models import ClaimRequest, Invitation
from tests.factories import PoleFactory, UserFactory
from tests.poles.test_invitations import accept, invitation_link, invite, path_of

pytestmark = pytest.mark.django_db


def deactivated_admin():
    return UserFactory(
        username="ancien-admin", email="ancien@example.org", is_staff=True,
        is_superuser=True, is_active=False,
    )


def account_kinds():
    return {
        "deactivated superuser": deactivated_admin,
        "deactivated staff": lambda: UserFactory(
            username="ancienne", email="ancien@example.org", is_staff=True, is_active=False
        ),
        "active staff": lambda: UserFactory(
            username="collegue", email="ancien@example.org", is_staff=True
        ),
        "deactivated by an administrator": lambda: UserFactory(
            username="banni", email="ancien@example.org", is_active=False
        ),
    }


@pytest.mark.parametrize("kind", account_kinds())
def test_an_invitation_to_such_an_account_is_refused_and_says_why(curator_client, pole, kind):
    account = account_kinds()[kind]()
    before = (account.is_active, account.password)

    response = invite(curator_client, pole, "ANCIEN@example.org")

    assert response.status_code == 200  # the form again, with the reason
    text = " ".join(response.context["form"].errors["email"])
    assert "ne peut" in text and "ancien@example.org" in text
    assert mail.outbox == [] and not Invitation.objects.exists()
    account.refresh_from_db()
    assert (account.is_active, account.password) == before


def test_approving_a_claim_for_a_deactivated_admin_does_not_revive_it(curator_client, pole):
    account = deactivated_admin()
    claim = ClaimRequest.objects.create(
        pole=pole, name="X", role="Y", email="ancien@example.org"
    )
    response = curator_client.post(
        reverse("admin:poles_claimrequest_approve", args=[claim.pk]), follow=True
    )
    assert "compte de l'équipe du registre" in unescape(response.content.decode())
    claim.refresh_from_db()
    account.refresh_from_db()
    assert claim.is_pending and not account.is_active and mail.outbox == []


def test_a_link_sent_before_the_account_was_deactivated_no_longer_works(curator_client, pole):
    invite(curator_client, pole, "nadia@example.org")
    link = invitation_link(mail.outbox[0])
    user = get_user_model().objects.get(email="nadia@example.org")
    user.set_password("mot-de-passe-de-nadia-1")
    user.is_active = False  # an administrator deactivates her in the meantime
    user.save()

    visitor = Client()
    page = visitor.get(path_of(link))
    assert page.status_code == 403
    assert "désactivé par un administrateur" in page.content.decode()
    assert accept(visitor, link).status_code == 403
    user.refresh_from_db()
    assert not user.is_active and user.check_password("mot-de-passe-de-nadia-1")
    assert not pole.leaders.filter(pk=user.pk).exists()


def test_a_link_does_not_work_once_the_account_is_made_staff(curator_client, pole):
    invite(curator_client, pole, "nadia@example.org")
    link = invitation_link(mail.outbox[0])
    get_user_model().objects.filter(email="nadia@example.org").update(is_staff=True)
    invitation = Invitation.objects.get()
    with pytest.raises(services.ValidationError):
        services.accept_invitation(invitation=invitation, password="x-y-z-1234567")
    assert accept(Client(), link).status_code == 403


def test_a_new_account_created_by_an_invitation_is_still_activated(curator_client, pole):
    invite(curator_client, pole, "nouvelle@example.org")
    response = accept(Client(), invitation_link(mail.outbox[0]))
    assert response.status_code == 302
    assert get_user_model().objects.get(email="nouvelle@example.org").is_active


def test_the_leaders_list_offers_no_staff_account(curator_client, curator, pole, alice):
    deactivated_admin()
    page = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk]))
    choices = page.context["adminform"].form.fields["leaders"].queryset
    assert alice in choices
    assert not choices.filter(is_staff=True).exists()
    assert not choices.filter(is_superuser=True).exists()


def test_an_account_an_administrator_made_without_password_then_disabled_stays_disabled(
    curator_client, pole
):
    """Made in the user admin with password login disabled, given a pole, then deactivated:
    it looks like an account created for an invitation, but no invitation created it."""
    other = PoleFactory(name="Les Ateliers")
    bob = UserFactory(username="bob", email="bob@example.org", is_active=False)
    bob.set_unusable_password()
    bob.save()
    other.leaders.add(bob)

    response = invite(curator_client, pole, "bob@example.org")

    assert "désactivé par un administrateur" in " ".join(response.context["form"].errors["email"])
    assert mail.outbox == []
    bob.refresh_from_db()
    assert not bob.is_active


def test_an_address_corrected_by_an_administrator_gets_the_new_link(curator_client, pole):
    invite(curator_client, pole, "jean.dupont@exemple.net")  # a typo
    old_link = invitation_link(mail.outbox[0])
    account = get_user_model().objects.get(email="jean.dupont@exemple.net")
    account.email = "jean.dupont@example.org"  # corrected by an administrator
    account.save()

    invite(curator_client, pole, "jean.dupont@example.org")

    assert mail.outbox[-1].to == ["jean.dupont@example.org"]
    new_link = invitation_link(mail.outbox[-1])
    assert new_link != old_link
    assert Invitation.objects.get(email="jean.dupont@exemple.net").revoked_at is not None
    assert accept(Client(), old_link).status_code == 410
    assert accept(Client(), new_link).status_code == 302


def test_a_link_to_an_address_the_account_no_longer_has_stops_working(curator_client, pole):
    invite(curator_client, pole, "marie@exemple.net")
    link = invitation_link(mail.outbox[0])
    get_user_model().objects.filter(email="marie@exemple.net").update(email="marie@example.org")
    visitor = Client()
    assert visitor.get(path_of(link)).status_code == 403
    assert accept(visitor, link).status_code == 403
    assert not get_user_model().objects.get(email="marie@example.org").is_active
    # Nor can the old link be re-sent to the old inbox.
    with pytest.raises(services.ValidationError):
        services.resend_invitation(invitation=Invitation.objects.get())
