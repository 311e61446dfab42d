"""Public side of who leads a pole: accepting an invitation, and "Je porte ce pôle"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from ptce_site import ratelimit
from ptce_site.emails import email_key

from ..registry.models import Pole
from . import accounts, services
from .forms import ClaimRequestForm
from .models import Invitation, hash_token


def _invitation_problem(invitation: Invitation | None) -> tuple[str, int]:
    """Why a link does not work, for the page that says so, and its status code."""
    if invitation is None:
        return "unknown", 404
    if invitation.accepted_at:
        return "used", 410
    if invitation.revoked_at:
        return "revoked", 410
    return "expired", 410


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: choose a password, become a leader, land on the pole's edit page.

    Only the token's hash is stored; the link works once, until it expires, unless revoked.
    Where to go next is fixed (the pole's edit page): no ``next`` parameter is read.
    """
    invitation = (
        Invitation.objects.select_related("pole", "user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        problem, status = _invitation_problem(invitation)
        return render(
            request,
            "registration/invitation_invalid.html",
            {"problem": problem, "invitation": invitation},
            status=status,
        )

    if accounts.invitation_refusal(invitation) is not None:
        return render(
            request,
            "registration/invitation_invalid.html",
            {"problem": "account", "invitation": invitation},
            status=403,
        )
    form = SetPasswordForm(invitation.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            # Used by a concurrent request in the meantime, or the account may not be touched.
            problem = "account" if error.code == "account" else "used"
            return render(
                request,
                "registration/invitation_invalid.html",
                {"problem": problem, "invitation": invitation},
                status=410 if problem == "used" else 403,
            )
        login(request, user, backend=services.MODEL_BACKEND)
        messages.success(
            request,
            _(
                "Bienvenue ! Votre mot de passe est enregistré et vous portez désormais le pôle "
                "« %(pole)s » : vous pouvez mettre sa fiche à jour."
            )
            % {"pole": invitation.pole.name},
        )
        return redirect("space:edit-pole", slug=invitation.pole.slug)
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "invitation": invitation, "pole": invitation.pole},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def claim_pole(request: HttpRequest, slug: str) -> HttpResponse:
    """The "Je porte ce pôle" form: a visitor asks to manage a published pole's profile."""
    pole = get_object_or_404(Pole.objects.published(), slug=slug)
    if pole.is_led_by(request.user):
        # Its own leader, from the public page's link: nothing to ask the team.
        messages.info(request, _("Vous portez déjà ce pôle : voici sa fiche, à tenir à jour."))
        return redirect("space:edit-pole", slug=pole.slug)
    form = ClaimRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("poles:pole-claim-done", slug=pole.slug)
        verdict = ratelimit.check_email_form(
            request, "claim", email_key(form.cleaned_data["email"])
        )
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        # The same answer whether or not the address has a request pending for this pole.
        services.create_claim_request(
            pole=pole,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
            email=form.cleaned_data["email"],
            message=form.cleaned_data["message"],
        )
        return redirect("poles:pole-claim-done", slug=pole.slug)
    return render(
        request,
        "poles/claim_form.html",
        {"pole": pole, "form": form},
        status=400 if form.is_bound else 200,
    )


@require_safe
def claim_done(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_object_or_404(Pole.objects.published(), slug=slug)
    return render(request, "poles/claim_done.html", {"pole": pole})
