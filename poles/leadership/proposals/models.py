"""A visitor's proposal of a pole the registry lacks, from its e-mail confirmation to the
curator's decision."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce_site.model_parts import account_link
from ptce_site.validators import validate_single_line

from ...territories.validators import validate_commune_code
from ..models import Invitation, hash_token

# How long the link that confirms the proposer's address works.
CONFIRMATION_MAX_AGE = timedelta(days=3)


class PoleProposalQuerySet(models.QuerySet):
    def confirmed(self) -> PoleProposalQuerySet:
        """What staff see: proposals whose sender confirmed their address."""
        return self.exclude(status=PoleProposal.Status.UNCONFIRMED)

    def pending(self) -> PoleProposalQuerySet:
        return self.filter(status=PoleProposal.Status.PENDING)

    def unconfirmed_expired(self) -> PoleProposalQuerySet:
        """Never confirmed, and the link no longer works."""
        return self.filter(
            status=PoleProposal.Status.UNCONFIRMED,
            link_sent_at__lte=timezone.now() - CONFIRMATION_MAX_AGE,
        )


class PoleProposal(models.Model):
    """ "Proposer un pôle": what a visitor says of a pole missing from the registry, and who
    they are. Staff see it once the proposer has confirmed their address."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Adresse e-mail à confirmer")
        PENDING = "pending", _("En attente")
        CREATED = "created", _("Acceptée : pôle créé")
        MERGED = "merged", _("Rattachée à un pôle existant")
        REFUSED = "refused", _("Refusée")

    # The pole as the proposer describes it.
    name = models.CharField(_("nom du pôle"), max_length=200, validators=[validate_single_line])
    region = models.ForeignKey(
        "poles.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("région"),
    )
    commune_code = models.CharField(
        _("code commune INSEE"), max_length=5, blank=True, validators=[validate_commune_code]
    )
    commune_name = models.CharField(
        _("commune"), max_length=150, blank=True, validators=[validate_single_line]
    )
    summary = models.CharField(_("présentation en quelques phrases"), max_length=400, blank=True)
    website = models.URLField(_("site web"), blank=True)
    sectors = models.ManyToManyField(
        "poles.Sector", related_name="+", blank=True, verbose_name=_("secteurs d'activité")
    )
    # Who proposes it.
    proposer_name = models.CharField(
        _("nom et prénom"), max_length=150, validators=[validate_single_line]
    )
    proposer_role = models.CharField(
        _("rôle"), max_length=150, blank=True, validators=[validate_single_line]
    )
    proposer_email = models.EmailField(_("e-mail"))
    message = models.TextField(_("message"), max_length=2000, blank=True)
    consents_to_contact = models.BooleanField(_("accepte d'être contacté(e)"), default=False)
    wants_to_lead = models.BooleanField(_("souhaite porter la fiche du pôle"), default=False)
    # The moderation.
    status = models.CharField(
        _("état"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    # The confirmation link's start: a link sent again works from then on.
    link_sent_at = models.DateTimeField(_("lien de confirmation envoyé le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("adresse confirmée le"), null=True, blank=True)
    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("pôle créé ou rattaché"),
    )
    invitation = models.ForeignKey(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitation envoyée"),
    )
    decided_by = account_link(_("traitée par"))
    decided_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    refusal_message = models.TextField(_("message de refus"), blank=True)

    objects = PoleProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposition de pôle")
        verbose_name_plural = _("propositions de pôles")
        indexes = [models.Index(fields=["status", "-created_at"], name="proposal_status_created")]
        constraints = [
            # One open proposal per address and pole name, whatever their case.
            models.UniqueConstraint(
                Lower("proposer_email"),
                Lower("name"),
                condition=Q(status__in=["unconfirmed", "pending"]),
                name="proposal_one_open_per_email_and_name",
                violation_error_message=_(
                    "Une proposition de ce pôle avec cette adresse e-mail est déjà en attente."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def new_token(self) -> str:
        """A fresh secret for the confirmation link (only its hash is stored); return it."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def confirmation_expires_at(self):
        return self.link_sent_at + CONFIRMATION_MAX_AGE

    @property
    def confirmation_expired(self) -> bool:
        return self.confirmation_expires_at <= timezone.now()
