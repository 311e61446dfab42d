"""Logging in with an e-mail address, and password reset with the site's e-mails and a limit.

Leaders know their e-mail address (their invitation came to it), not the username the registry
made for them: ``EmailOrUsernameBackend`` finds the account by its e-mail address, in any case,
or by its username (staff accounts are made with one). It is Django's ``ModelBackend`` with
another lookup, so that permissions, inactive accounts and timing are handled as Django does;
django-axes still counts failures, under one name per account (``login_identity``, used by
``ptce_site.lockout``) whichever of the address or the username was typed, and in whatever case.

Django's ``PasswordResetView`` sends one e-mail per submission, as often as it is posted: here
each submission is counted per client address and per e-mail address (``ptce_site.ratelimit``),
and the message is built by ``ptce_site.emails`` like every other (no HTML escaping in text).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from . import ratelimit
from .emails import build_message, email_key

# More accounts than this for one address is not a person logging in.
MAX_ACCOUNTS_PER_ADDRESS = 5


def login_candidates(identifier: str) -> list:
    """The accounts ``identifier`` may mean: the one with this username first, then those with
    this e-mail address (any case), active ones first, oldest first."""
    identifier = (identifier or "").strip()
    if not identifier or "\x00" in identifier:
        return []
    User = get_user_model()
    condition = Q(**{User.USERNAME_FIELD: identifier})
    if "@" in identifier:
        condition |= Q(email__iexact=identifier)
    accounts = User._default_manager.filter(condition).order_by("-is_active", "pk")
    accounts = list(accounts[: MAX_ACCOUNTS_PER_ADDRESS + 1])
    accounts.sort(key=lambda user: user.get_username() != identifier)
    return accounts


def login_identity(identifier: str) -> str:
    """One name per account for the lockout: its username when the identifier names exactly
    one account, else the identifier (lower case when it is an address)."""
    accounts = login_candidates(identifier)
    if len({user.pk for user in accounts}) == 1:
        return accounts[0].get_username()
    identifier = (identifier or "").strip()
    return identifier.lower() if "@" in identifier else identifier


class EmailOrUsernameBackend(ModelBackend):
    """Django's model backend, finding the account by e-mail address (any case) or username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        accounts = login_candidates(username)
        if not accounts:
            # As ModelBackend does: hash anyway, so that timing does not tell who has an account.
            get_user_model()().set_password(password)
            return None
        for user in accounts[:MAX_ACCOUNTS_PER_ADDRESS]:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None


class EmailAuthenticationForm(auth_forms.AuthenticationForm):
    """The login form as leaders expect it: their e-mail address, not a "nom d'utilisateur"."""

    username = auth_forms.UsernameField(
        label=_("Adresse e-mail"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "inputmode": "email"}
        ),
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Le mot de passe distingue les "
            "majuscules des minuscules."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # An e-mail address may be longer than a username (254 characters).
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254


login = auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm)


class PasswordResetForm(auth_forms.PasswordResetForm):
    # Named as on the login page (Django's label is « Courriel »).
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_("Celle de votre compte : l'adresse où vous avez reçu votre invitation."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        # The link on SITE_URL, not on the Host header the requester sent.
        context = {**context, "site_url": settings.SITE_URL}
        build_message("password_reset", context, [to_email]).send()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        address = email_key(form.cleaned_data["email"])
        verdict = ratelimit.check_email_form(self.request, "password-reset", address)
        if not verdict.allowed:
            return ratelimit.too_many_requests(self.request, verdict)
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
