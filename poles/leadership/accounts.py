"""The accounts that invitations make leaders of: which one an address means, and which ones an
invitation may never touch.

An invitation sets a password and activates the account. It must never do so for a staff or
superuser account (a curator would give a colleague, or themselves, staff rights back), for an
account an administrator deactivated, nor for an account whose address changed since the link
left (the link would go to the old inbox). An account the registry created *for* an invitation
is inactive too: the invitation that created it says so (``Invitation.created_account``), and
such an account has never had a usable password nor logged in.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ptce_site.emails import email_key

from .models import Invitation


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


def get_or_create_user(*, email: str) -> tuple[AbstractBaseUser, bool]:
    """The account with this e-mail address (any case), or a new one without a usable password
    (inactive until its invitation is accepted); and whether it was created. If several
    accounts share the address, the active one, then the oldest, is used."""
    User = get_user_model()
    email = normalize_email(email)
    user = User._default_manager.filter(email__iexact=email).order_by("-is_active", "pk").first()
    if user is not None:
        return user, False
    user = User(**{User.USERNAME_FIELD: _username_for(email)}, email=email, is_active=False)
    user.set_unusable_password()
    user.save()
    return user, True


def _created_for_an_invitation(user: AbstractBaseUser) -> bool:
    return (
        not user.has_usable_password()
        and user.last_login is None
        and Invitation.objects.filter(user=user, created_account=True).exists()
    )


def account_refusal(user: AbstractBaseUser, email: str) -> ValidationError | None:
    """Why an invitation may not touch this account, or None."""
    if user.is_staff or user.is_superuser:
        return ValidationError(
            _(
                "L'adresse %(email)s est celle d'un compte de l'équipe du registre : une "
                "invitation ne peut ni l'activer ni changer son mot de passe. Les comptes de "
                "l'équipe modifient déjà tous les pôles ; ils ne sont pas porteurs."
            ),
            code="staff_account",
            params={"email": email},
        )
    if not user.is_active and not _created_for_an_invitation(user):
        return ValidationError(
            _(
                "Le compte de %(email)s a été désactivé par un administrateur : une invitation "
                "ne peut pas le réactiver. Demandez à un administrateur de le réactiver d'abord "
                "s'il doit l'être."
            ),
            code="deactivated_account",
            params={"email": email},
        )
    return None


def invitation_refusal(invitation: Invitation) -> ValidationError | None:
    """Why this invitation's link may not be used (any more) for its account, or None."""
    user = invitation.user
    if email_key(user.email) != email_key(invitation.email):
        return ValidationError(
            _(
                "L'adresse du compte a changé depuis l'envoi de l'invitation à %(email)s : "
                "invitez la nouvelle adresse."
            ),
            code="email_changed",
            params={"email": invitation.email},
        )
    return account_refusal(user, invitation.email)
