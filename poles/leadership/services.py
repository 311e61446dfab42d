"""Writes about who leads a pole that touch several models or send mail.

Invitations: staff invite a leader by e-mail; the recipient's account is created or reused and
receives a one-time link, valid ``INVITATION_MAX_AGE_DAYS`` days, to set a password and become a
leader. Claim requests: a visitor says they run a pole ("Je porte ce pôle"); staff approve
(which sends an invitation) or refuse (which sends a polite e-mail).

Refusals are ``ValidationError``s with a French message and a ``code``, for forms and admin
actions to show as they are. Mail to the invitee or the claimant is sent inside the transaction
that records it: if the mail server refuses, nothing is recorded and staff can simply retry (a
resent invitation keeps its previous, still valid, link). Every e-mail is written in French, the
registry's language, whatever language the staff member uses the admin in.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce_site import ratelimit
from ptce_site.emails import build_message
from ptce_site.links import absolute_url

from ..registry.models import Pole
from . import accounts
from .models import ClaimRequest, Invitation
from .notifications import email_each_staff_member
from .notifications import recipients as staff_recipients

logger = logging.getLogger(__name__)

# The backend the accept view logs a user in with, once it has set their password (not the
# lockout backend, which only refuses).
MODEL_BACKEND = "ptce_site.accounts.EmailOrUsernameBackend"  # ModelBackend, by e-mail too


# Links and e-mails ------------------------------------------------------------------------------


def invitation_url(token: str) -> str:
    return absolute_url(reverse("accept-invitation", args=[token]))


def _check(refusal: ValidationError | None) -> None:
    if refusal is not None:
        raise refusal


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "pole": invitation.pole,
        "url": invitation_url(token),
        "expires_at": invitation.expires_at,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        "invited_by": invitation.invited_by,
        "login_url": absolute_url(reverse("login")),
    }
    build_message("invitation", context, [invitation.email]).send()
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["sent_at", "send_count"])


def _new_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


def invite_leader(
    *,
    pole: Pole,
    email: str,
    invited_by: AbstractBaseUser | None,
) -> Invitation:
    """Invite ``email`` to lead ``pole``: e-mail a one-time link to set a password.

    The account is created or reused (case-insensitive e-mail). A link still usable for this
    pole, account and address is sent again (with a fresh token) rather than duplicated; one
    sent to an address the account no longer has is revoked. Someone who already leads the
    pole is refused with a clear message (code ``already_leader``), and so are the accounts an
    invitation may not touch (``accounts.account_refusal``).
    """
    email = accounts.normalize_email(email)
    with transaction.atomic():
        user, created = accounts.get_or_create_user(email=email)
        if not created:
            _check(accounts.account_refusal(user, email))
        if pole.is_led_by(user):
            raise ValidationError(
                _("%(email)s porte déjà le pôle « %(pole)s » : aucune invitation n'est envoyée."),
                code="already_leader",
                params={"email": email, "pole": pole.name},
            )
        pending = Invitation.objects.usable().select_for_update().filter(pole=pole, user=user)
        pending.exclude(email=email).update(revoked_at=timezone.now())
        same_address = pending.filter(email=email).order_by("-created_at").first()
        if same_address is not None:
            return resend_invitation(invitation=same_address)
        invitation = Invitation(
            pole=pole,
            user=user,
            email=email,
            invited_by=invited_by,
            expires_at=_new_expiry(),
            created_account=created,
        )
        token = invitation.new_token()
        invitation.save()
        _send_invitation(invitation, token)
    return invitation


def resend_invitation(*, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link and a new expiry; the previous link stops
    working. Refused for an accepted or revoked invitation (code ``not_pending``)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("pole", "user")
            .get(pk=invitation.pk)
        )
        _check(accounts.invitation_refusal(invitation))
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(
                _("L'invitation de %(email)s est %(state)s : elle ne peut plus être renvoyée."),
                code="not_pending",
                params={"email": invitation.email, "state": invitation.state},
            )
        token = invitation.new_token()
        invitation.expires_at = _new_expiry()
        invitation.save(update_fields=["token_hash", "expires_at"])
        _send_invitation(invitation, token)
    return invitation


def revoke_invitation(*, invitation: Invitation) -> Invitation:
    """Make the link unusable for good. Refused for an accepted invitation (code ``accepted``);
    revoking twice changes nothing."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError(
                _("L'invitation de %(email)s est déjà acceptée : elle ne peut plus être révoquée."),
                code="accepted",
                params={"email": invitation.email},
            )
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


def accept_invitation(*, invitation: Invitation, password: str) -> AbstractBaseUser:
    """Set the invitee's password, activate the account, make it a leader of the pole; once.

    The password must already be validated (``SetPasswordForm``). An invitation that is no
    longer usable (used, revoked, expired, or used in a concurrent request) is refused with
    code ``unusable``; an account that has since become staff, been deactivated by an
    administrator or changed its address, with code ``account`` (see
    ``accounts.invitation_refusal``).
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user", "pole")
            .get(pk=invitation.pk)
        )
        if not invitation.is_usable:
            raise ValidationError(_("Ce lien d'invitation n'est plus valable."), code="unusable")
        user = type(invitation.user)._default_manager.select_for_update().get(
            pk=invitation.user_id
        )
        invitation.user = user  # as it is now, locked
        refusal = accounts.invitation_refusal(invitation)
        if refusal is not None:
            raise ValidationError(refusal.messages[0], code="account")
        user.set_password(password)
        user.is_active = True
        user.save()
        invitation.pole.leaders.add(user)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


# Claim requests ---------------------------------------------------------------------------------


def create_claim_request(
    *,
    pole: Pole,
    name: str,
    role: str,
    email: str,
    message: str = "",
) -> ClaimRequest:
    """Record a visitor's request to manage ``pole`` and tell the staff by e-mail.

    Anyone may type anyone's address: a request from an address that already has one pending
    for this pole is that request, and is answered as a new one. Nothing new is recorded (staff
    see one request, in its first words) and staff are told as for a new one (the same
    per-pole limit, about the pending request), so that neither the page nor the time it takes
    says whether an address has asked to manage a pole. The request is kept even if the
    staff's e-mail cannot leave (logged): staff see it in the admin.
    """
    email = accounts.normalize_email(email)
    # get_or_create: the same request sent twice at once meets the database's constraint
    # (one pending request per address and pole), and the second one then finds the first.
    claim, _created = ClaimRequest.objects.get_or_create(
        pole=pole,
        email__iexact=email,
        status=ClaimRequest.Status.PENDING,
        defaults={"email": email, "name": name.strip(), "role": role.strip(), "message": message},
    )
    notify_staff_of_claim(claim=claim)
    return claim


def notify_staff_of_claim(*, claim: ClaimRequest) -> None:
    """One e-mail to each curator, with a link to the request in the admin; at most one per
    pole per ``EMAIL_FORM_WINDOW_MINUTES`` (the others wait in the admin's pending list, which
    the e-mail links to)."""
    recipients = staff_recipients(claim.pole.region_id)
    if not recipients:
        logger.warning("Claim request %s: no staff member with an e-mail to tell.", claim.pk)
        return
    if not ratelimit.first_in_window("claim-staff-email", str(claim.pole_id)):
        logger.info("Claim request %s: staff were e-mailed about this pole already.", claim.pk)
        return
    context = {
        "claim": claim,
        "pole": claim.pole,
        "admin_url": absolute_url(
            reverse("admin:poles_claimrequest_change", args=[claim.pk])
        ),
        "window_minutes": settings.EMAIL_FORM_WINDOW_MINUTES,
        "pending_url": absolute_url(
            reverse("admin:poles_claimrequest_changelist") + "?status__exact=pending",
        ),
    }
    email_each_staff_member("claim_received", context, recipients, f"Claim request {claim.pk}")


def _lock_pending_claim(claim: ClaimRequest) -> ClaimRequest:
    claim = ClaimRequest.objects.select_for_update().select_related("pole").get(pk=claim.pk)
    if not claim.is_pending:
        raise ValidationError(
            _("La demande de %(name)s a déjà été traitée (%(status)s)."),
            code="decided",
            params={"name": claim.name, "status": claim.get_status_display()},
        )
    return claim


def approve_claim(
    *, claim: ClaimRequest, decided_by: AbstractBaseUser
) -> ClaimRequest:
    """Accept the request: invite the claimant's e-mail to lead the pole."""
    with transaction.atomic():
        claim = _lock_pending_claim(claim)
        invitation = invite_leader(
            pole=claim.pole, email=claim.email, invited_by=decided_by
        )
        claim.status = ClaimRequest.Status.APPROVED
        claim.decided_at = timezone.now()
        claim.decided_by = decided_by
        claim.invitation = invitation
        claim.save(update_fields=["status", "decided_at", "decided_by", "invitation"])
    return claim


def refuse_claim(
    *,
    claim: ClaimRequest,
    decided_by: AbstractBaseUser,
    reason: str = "",
) -> ClaimRequest:
    """Refuse the request and tell the claimant politely, with the reason if one is given."""
    with transaction.atomic():
        claim = _lock_pending_claim(claim)
        claim.status = ClaimRequest.Status.REFUSED
        claim.decided_at = timezone.now()
        claim.decided_by = decided_by
        claim.save(update_fields=["status", "decided_at", "decided_by"])
        context = {
            "claim": claim,
            "pole": claim.pole,
            "reason": reason.strip(),
            "pole_url": absolute_url(claim.pole.get_absolute_url())
            if claim.pole.is_published
            else "",
        }
        build_message("claim_refused", context, [claim.email]).send()
    return claim
