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
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import ClaimRequest, Invitation, Pole
from .notifications import recipients as staff_recipients
from .notifications import site_url

logger = logging.getLogger(__name__)

# The backend the accept view logs a user in with, once it has set their password (not the
# lockout backend, which only refuses).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# Links and e-mails ------------------------------------------------------------------------------


def absolute_url(path: str, *, request: HttpRequest | None = None) -> str:
    """``path`` as a full URL: from the current request when there is one, else ``SITE_URL``."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{site_url()}{path}"


def invitation_url(token: str, *, request: HttpRequest | None = None) -> str:
    return absolute_url(reverse("accept-invitation", args=[token]), request=request)


def _email(template: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    """A message from ``emails/<template>_subject.txt`` and ``emails/<template>.txt``, in French."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    # A subject is one line, whatever the template's layout.
    subject = " ".join(subject.split())
    return EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)


# Invitations ------------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    """Addresses are compared and stored in lower case: nobody gets two accounts for one inbox."""
    return email.strip().lower()


def _username_for(email: str) -> str:
    """A free username made from the e-mail address (a valid username: letters, digits, @.+-_)."""
    User = get_user_model()
    max_length = User._meta.get_field(User.USERNAME_FIELD).max_length
    base = email[:max_length]
    candidate, number = base, 1
    while User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": candidate}).exists():
        number += 1
        suffix = f"-{number}"
        candidate = f"{base[: max_length - len(suffix)]}{suffix}"
    return candidate


def get_or_create_user(*, email: str) -> AbstractBaseUser:
    """The account with this e-mail address (any case), or a new one without a usable password.

    A new account is inactive until its invitation is accepted. If several accounts share the
    address, the active one, then the oldest, is used.
    """
    User = get_user_model()
    email = normalize_email(email)
    user = User._default_manager.filter(email__iexact=email).order_by("-is_active", "pk").first()
    if user is None:
        user = User(**{User.USERNAME_FIELD: _username_for(email)}, email=email, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _send_invitation(invitation: Invitation, token: str, request: HttpRequest | None) -> None:
    context = {
        "invitation": invitation,
        "pole": invitation.pole,
        "url": invitation_url(token, request=request),
        "expires_at": invitation.expires_at,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        "invited_by": invitation.invited_by,
        "login_url": absolute_url(reverse("login"), request=request),
    }
    _email("invitation", context, [invitation.email]).send()
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
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite ``email`` to lead ``pole``: e-mail a one-time link to set a password.

    The account is created or reused (case-insensitive e-mail). A link still usable for this
    pole and account is sent again (with a fresh token) rather than duplicated. Someone who
    already leads the pole is refused with a clear message (code ``already_leader``).
    """
    email = normalize_email(email)
    with transaction.atomic():
        user = get_or_create_user(email=email)
        if pole.leaders.filter(pk=user.pk).exists():
            raise ValidationError(
                _("%(email)s porte déjà le pôle « %(pole)s » : aucune invitation n'est envoyée."),
                code="already_leader",
                params={"email": email, "pole": pole.name},
            )
        pending = (
            Invitation.objects.usable()
            .select_for_update()
            .filter(pole=pole, user=user)
            .order_by("-created_at")
            .first()
        )
        if pending is not None:
            return resend_invitation(invitation=pending, request=request)
        invitation = Invitation(
            pole=pole, user=user, email=email, invited_by=invited_by, expires_at=_new_expiry()
        )
        token = invitation.new_token()
        invitation.save()
        _send_invitation(invitation, token, request)
    return invitation


def resend_invitation(*, invitation: Invitation, request: HttpRequest | None = None) -> Invitation:
    """Send the invitation again with a new link and a new expiry; the previous link stops
    working. Refused for an accepted or revoked invitation (code ``not_pending``)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("pole").get(pk=invitation.pk)
        )
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(
                _("L'invitation de %(email)s est %(state)s : elle ne peut plus être renvoyée."),
                code="not_pending",
                params={"email": invitation.email, "state": invitation.state},
            )
        token = invitation.new_token()
        invitation.expires_at = _new_expiry()
        invitation.save(update_fields=["token_hash", "expires_at"])
        _send_invitation(invitation, token, request)
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
    code ``unusable``.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user", "pole")
            .get(pk=invitation.pk)
        )
        if not invitation.is_usable:
            raise ValidationError(_("Ce lien d'invitation n'est plus valable."), code="unusable")
        user = invitation.user
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
    request: HttpRequest | None = None,
) -> ClaimRequest:
    """Record a visitor's request to manage ``pole`` and tell the staff by e-mail.

    A second pending request for the same pole and address is refused (code ``duplicate``). The
    request is kept even if the staff's e-mail cannot leave (logged): staff see it in the admin.
    """
    email = normalize_email(email)
    duplicate = ValidationError(
        _(
            "Une demande pour ce pôle avec cette adresse e-mail est déjà en attente : l'équipe "
            "du registre vous répondra par e-mail."
        ),
        code="duplicate",
    )
    if ClaimRequest.objects.filter(
        pole=pole, email__iexact=email, status=ClaimRequest.Status.PENDING
    ).exists():
        raise duplicate
    try:
        with transaction.atomic():
            claim = ClaimRequest.objects.create(
                pole=pole, name=name.strip(), role=role.strip(), email=email, message=message
            )
    except IntegrityError:  # the same request sent twice at once
        raise duplicate from None
    notify_staff_of_claim(claim=claim, request=request)
    return claim


def notify_staff_of_claim(*, claim: ClaimRequest, request: HttpRequest | None = None) -> None:
    """One e-mail to each curator, with a link to the request in the admin."""
    recipients = staff_recipients()
    if not recipients:
        logger.warning("Claim request %s: no staff member with an e-mail to tell.", claim.pk)
        return
    context = {
        "claim": claim,
        "pole": claim.pole,
        "admin_url": absolute_url(
            reverse("admin:poles_claimrequest_change", args=[claim.pk]), request=request
        ),
        "pending_url": absolute_url(
            reverse("admin:poles_claimrequest_changelist") + "?status__exact=pending",
            request=request,
        ),
    }
    messages = [_email("claim_received", context, [address]) for address in recipients]
    try:
        mailers.default.send_messages(messages)
    except Exception:  # the request is saved; staff will still find it in the admin
        logger.exception("Claim request %s: the e-mail to staff could not be sent.", claim.pk)


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
    *, claim: ClaimRequest, decided_by: AbstractBaseUser, request: HttpRequest | None = None
) -> ClaimRequest:
    """Accept the request: invite the claimant's e-mail to lead the pole."""
    with transaction.atomic():
        claim = _lock_pending_claim(claim)
        invitation = invite_leader(
            pole=claim.pole, email=claim.email, invited_by=decided_by, request=request
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
    request: HttpRequest | None = None,
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
            "pole_url": absolute_url(claim.pole.get_absolute_url(), request=request)
            if claim.pole.is_published
            else "",
        }
        _email("claim_refused", context, [claim.email]).send()
    return claim
