"""Who leads a pole: invitations sent by staff, and claim requests sent by visitors."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce_site.model_parts import account_link
from ptce_site.validators import validate_single_line


def hash_token(token: str) -> str:
    """Only a token's hash is stored: a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted nor revoked (possibly expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self) -> InvitationQuerySet:
        """Pending and not expired: the link still works."""
        return self.pending().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link, sent by e-mail, that makes its recipient a leader of a pole."""

    pole = models.ForeignKey(
        "poles.Pole", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("pôle")
    )
    email = models.EmailField(_("e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pole_invitations",
        verbose_name=_("compte"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = account_link(_("invité par"))
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(_("envois"), default=0)
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    # The account was created for this invitation (it was not an existing one): only such an
    # inactive account may be activated by an invitation (poles.leadership.accounts).
    created_account = models.BooleanField(_("compte créé pour l'invitation"), default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation d'un porteur")
        verbose_name_plural = _("invitations des porteurs")
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
                violation_error_message=_("Une invitation acceptée ne peut pas être révoquée."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.pole}"

    def new_token(self) -> str:
        """Give the invitation a fresh secret (the previous link stops working); return it."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def state(self) -> str:
        if self.accepted_at:
            return _("acceptée")
        if self.revoked_at:
            return _("révoquée")
        if self.is_expired:
            return _("expirée")
        return _("en attente")


class ClaimRequest(models.Model):
    """A visitor says they run a pole and asks to manage its profile ("Je porte ce pôle")."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.CASCADE,
        related_name="claim_requests",
        verbose_name=_("pôle"),
    )
    name = models.CharField(_("nom et prénom"), max_length=150, validators=[validate_single_line])
    role = models.CharField(
        _("rôle dans le pôle"),
        max_length=150,
        validators=[validate_single_line],
        help_text=_("Par exemple « coordinatrice », « président de l'association porteuse »."),
    )
    email = models.EmailField(_("e-mail"))
    message = models.TextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    decided_by = account_link(_("traitée par"))
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitation envoyée"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de gestion d'un pôle")
        verbose_name_plural = _("demandes de gestion des pôles")
        indexes = [models.Index(fields=["status", "-created_at"], name="claim_status_created")]
        constraints = [
            # One pending request per person and pole, whatever the case of the address.
            models.UniqueConstraint(
                Lower("email"),
                "pole",
                condition=Q(status="pending"),
                name="claim_one_pending_per_email_and_pole",
                violation_error_message=_(
                    "Une demande pour ce pôle avec cette adresse e-mail est déjà en attente."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> — {self.pole}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
