"""The admin pages where curators decide: the claims' and invitations' change lists say how
many wait (one rule, ``poles.leadership.admin.decisions.PendingTitleMixin``), and the refusal
and invitation forms share one layout (``templates/admin/poles/object_form.html``)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from poles.models import ClaimRequest, Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def title(curator_client, model: str) -> str:
    return curator_client.get(reverse(f"admin:poles_{model}_changelist")).context["title"]


def test_the_claims_list_counts_the_pending_requests(curator_client, pole):
    for n, status in enumerate(["pending", "pending", "approved"]):
        ClaimRequest.objects.create(
            pole=pole, name="Ana", role="coordinatrice", email=f"{n}@example.org", status=status
        )
    assert title(curator_client, "claimrequest") == (
        "Demandes de gestion des pôles : 2 en attente"
    )


def test_the_invitations_list_counts_the_usable_invitations(curator_client, pole):
    now = timezone.now()
    for n, expires_at in enumerate([now + timedelta(days=1), now - timedelta(days=1)]):
        Invitation.objects.create(
            pole=pole, email=f"{n}@example.org", user=UserFactory(), token_hash=str(n),
            expires_at=expires_at,
        )
    assert title(curator_client, "invitation") == "Invitations des porteurs : 1 en attente"


def test_the_refusal_and_invitation_pages_share_one_layout(curator_client, pole):
    claim = ClaimRequest.objects.create(pole=pole, name="Ana", role="r", email="a@example.org")
    change = reverse("admin:poles_claimrequest_change", args=[claim.pk])
    html = curator_client.get(reverse("admin:poles_claimrequest_refuse", args=[claim.pk]))
    html = html.content.decode()
    assert f'<a href="{change}">{escape(claim)}</a>' in html
    assert "recevra un e-mail poli" in html and "Refuser et envoyer l'e-mail" in html
    ClaimRequest.objects.filter(pk=claim.pk).update(status="refused")
    html = curator_client.get(reverse("admin:poles_claimrequest_refuse", args=[claim.pk]))
    html = html.content.decode()
    assert "Cette demande est déjà traitée (Refusée)." in html and "<form" not in html.split(
        'id="content-main"'
    )[1]
    html = curator_client.get(reverse("admin:poles_pole_invite", args=[pole.pk]))
    html = html.content.decode()
    change = reverse("admin:poles_pole_change", args=[pole.pk])
    assert f'<a href="{change}">{pole.name}</a>' in html
    assert 'value="Envoyer l\'invitation"' in html
