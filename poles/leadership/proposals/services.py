"""Writes about proposals that touch several models or send mail.

A visitor's proposal is recorded unconfirmed and a one-time link goes to the proposer's
address (``submit_proposal``); the link makes it pending and tells staff
(``confirm_proposal``). A curator then creates an unpublished pole from it, merges it into an
existing pole, or refuses it with a polite e-mail. As for claims (``..services``), refusals are
``ValidationError``s with a French message and a ``code``, and mail to the proposer is sent
inside the transaction that records it: if the mail server refuses, nothing is recorded.
"""

from __future__ import annotations

import logging

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ptce_site.emails import build_message
from ptce_site.links import absolute_url

from ...registry.models import Pole
from ...registry.provenance import mark_content_changed, proposal_change_reason
from .. import accounts
from ..models import Invitation, hash_token
from ..notifications import email_each_staff_member
from ..notifications import recipients as staff_recipients
from ..services import invite_leader
from .models import PoleProposal

logger = logging.getLogger(__name__)


def confirmation_url(token: str) -> str:
    return absolute_url(reverse("poles:proposal-confirm", args=[token]))


def _send_confirmation(proposal: PoleProposal, token: str) -> None:
    context = {
        "proposal": proposal,
        "url": confirmation_url(token),
        "expires_at": proposal.confirmation_expires_at,
    }
    build_message("proposal_confirm", context, [proposal.proposer_email]).send()


def submit_proposal(*, sectors=(), **fields) -> PoleProposal | None:
    """Record a visitor's proposal, unconfirmed, and e-mail the link that confirms it.

    ``fields`` are the model's own fields, already validated (``ProposalForm``). An unconfirmed
    proposal of the same name from the same address is replaced by this one (staff never saw
    it). Anyone may type anyone's address: when the address has proposed this name already and
    staff see it, nothing is recorded and its one e-mail says so instead of bringing a link
    (``_say_already_pending``), so that the answer does not tell who proposed which pole.
    """
    fields["proposer_email"] = accounts.normalize_email(fields["proposer_email"])
    same = PoleProposal.objects.annotate(
        lower_email=Lower("proposer_email"), lower_name=Lower("name")
    ).filter(lower_email=fields["proposer_email"].lower(), lower_name=fields["name"].lower())
    pending = same.filter(status=PoleProposal.Status.PENDING).first()
    if pending is not None:
        _say_already_pending(pending)
        return pending
    try:
        with transaction.atomic():
            same.filter(status=PoleProposal.Status.UNCONFIRMED).delete()
            # Nobody confirmed these in time: their senders' data is not kept.
            PoleProposal.objects.unconfirmed_expired().delete()
            proposal = PoleProposal(**fields)
            token = proposal.new_token()
            proposal.save()
            proposal.sectors.set(sectors)
            _send_confirmation(proposal, token)
    except IntegrityError:  # the same proposal sent twice at once: the other one sent the link
        open_ones = (PoleProposal.Status.UNCONFIRMED, PoleProposal.Status.PENDING)
        return same.filter(status__in=open_ones).first()
    return proposal


def _say_already_pending(proposal: PoleProposal) -> None:
    """The one e-mail of a proposal sent again once staff see it: to its address (which
    confirmed it), in its own words, not in those of whoever typed the address."""
    context = {"proposal": proposal}
    build_message("proposal_already_pending", context, [proposal.proposer_email]).send()


def find_by_token(token: str) -> PoleProposal | None:
    return PoleProposal.objects.filter(token_hash=hash_token(token)).first()


def confirm_proposal(*, proposal: PoleProposal) -> PoleProposal:
    """The proposer's link: the proposal becomes pending (staff see it) and staff are told.
    Once only, before the link expires (code ``used`` or ``expired``)."""
    with transaction.atomic():
        proposal = PoleProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status != PoleProposal.Status.UNCONFIRMED:
            raise ValidationError(_("Cette proposition est déjà confirmée."), code="used")
        if proposal.confirmation_expired:
            raise ValidationError(_("Ce lien de confirmation a expiré."), code="expired")
        proposal.status = PoleProposal.Status.PENDING
        proposal.confirmed_at = timezone.now()
        proposal.save(update_fields=["status", "confirmed_at"])
    notify_staff(proposal=proposal)
    return proposal


def notify_staff(*, proposal: PoleProposal) -> None:
    """One e-mail to each curator with a link to the proposal in the admin. The proposal is
    kept even if the e-mail cannot leave (logged): staff see it in the admin."""
    recipients = staff_recipients(proposal.region_id)
    if not recipients:
        logger.warning("Proposal %s: no staff member with an e-mail to tell.", proposal.pk)
        return
    context = {
        "proposal": proposal,
        "admin_url": absolute_url(reverse("admin:poles_poleproposal_change", args=[proposal.pk])),
        "pending_url": absolute_url(reverse("admin:poles_poleproposal_changelist")),
    }
    email_each_staff_member("proposal_received", context, recipients, f"Proposal {proposal.pk}")


# Decisions ------------------------------------------------------------------------------------


def _lock_pending(proposal: PoleProposal) -> PoleProposal:
    proposal = (
        PoleProposal.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=proposal.pk)
    )
    if not proposal.is_pending:
        raise ValidationError(
            _("La proposition « %(name)s » a déjà été traitée (%(status)s)."),
            code="decided",
            params={"name": proposal.name, "status": proposal.get_status_display()},
        )
    return proposal


def _decided(proposal: PoleProposal, status: str, decided_by, **changes) -> None:
    proposal.status = status
    proposal.decided_by = decided_by
    proposal.decided_at = timezone.now()
    for name, value in changes.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", "decided_by", "decided_at", *changes])


def _free_slug(name: str) -> str:
    max_length = Pole._meta.get_field("slug").max_length
    base = (slugify(name) or "pole")[: max_length - 4].strip("-") or "pole"
    taken = set(Pole.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _invite_proposer(proposal: PoleProposal, pole: Pole, decided_by) -> Invitation | None:
    """Invite the proposer to lead ``pole``. An address an invitation may not use (a staff
    account, an account an administrator deactivated) does not stop the decision: the reason
    is kept in ``proposal.invitation_problem`` for the curator to read."""
    try:
        with transaction.atomic():
            return invite_leader(pole=pole, email=proposal.proposer_email, invited_by=decided_by)
    except ValidationError as error:
        if error.code != "already_leader":
            proposal.invitation_problem = _(
                "%(email)s n'a pas pu être invité(e) comme porteur : %(reason)s"
            ) % {"email": proposal.proposer_email, "reason": " ".join(error.messages)}
        return None


def create_pole(*, proposal: PoleProposal, decided_by: AbstractBaseUser) -> PoleProposal:
    """Create an unpublished pole from the proposal (name, summary, website, region, commune
    and its point, sectors), link it, and invite the proposer as its leader if they asked.

    Nothing is published: a curator completes and publishes the pole in its admin page. If the
    invitation cannot be sent to that address, the pole is created all the same and
    ``proposal.invitation_problem`` says why.
    """
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        proposal.invitation_problem = ""
        pole = Pole(
            name=proposal.name,
            slug=_free_slug(proposal.name),
            summary=proposal.summary,
            website=proposal.website,
            region=proposal.region,
            commune_code=proposal.commune_code,
            commune_name=proposal.commune_name,
            is_published=False,
            status=Pole.Status.NOT_KNOWN,  # a curator sets it from what they check
        )
        if pole.commune_code:
            pole.take_commune_place()  # the commune's point (the code was checked when sent)
        # Its page says these facts come from a visitor's proposal, not from the team.
        pole._change_reason = proposal_change_reason(proposal.pk)
        pole.save()
        pole.sectors.set(proposal.sectors.all())
        mark_content_changed(pole)  # a person's content: the page's « mis à jour » date
        invitation = None
        if proposal.wants_to_lead:
            invitation = _invite_proposer(proposal, pole, decided_by)
        _decided(
            proposal, PoleProposal.Status.CREATED, decided_by, pole=pole, invitation=invitation
        )
    return proposal


def merge_proposal(
    *,
    proposal: PoleProposal,
    pole: Pole,
    decided_by: AbstractBaseUser,
    invite: bool = False,
) -> PoleProposal:
    """Link the proposal to an existing ``pole`` (which it describes already): nothing of the
    pole changes; the curator copies what they choose in the pole's page. ``invite``: invite
    the proposer as the pole's leader too."""
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        proposal.invitation_problem = ""
        invitation = _invite_proposer(proposal, pole, decided_by) if invite else None
        _decided(proposal, PoleProposal.Status.MERGED, decided_by, pole=pole, invitation=invitation)
    return proposal


def refuse_proposal(
    *, proposal: PoleProposal, decided_by: AbstractBaseUser, message: str
) -> PoleProposal:
    """Refuse the proposal and send the proposer ``message`` (the curator's, polite)."""
    with transaction.atomic():
        proposal = _lock_pending(proposal)
        _decided(proposal, PoleProposal.Status.REFUSED, decided_by, refusal_message=message.strip())
        build_message("proposal_refused", {"proposal": proposal}, [proposal.proposer_email]).send()
    return proposal
