"""The public side of proposals: the form, the page that says to check one's mailbox, and the
confirmation link's page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from ptce_site import ratelimit
from ptce_site.emails import MAIL_ERRORS, email_key

from . import services
from .forms import ProposalForm

MAIL_FAILED = _(
    "L'e-mail de confirmation n'a pas pu partir (serveur de messagerie injoignable) : rien "
    "n'a été enregistré. Réessayez dans quelques instants."
)


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """ "Proposer un pôle": the proposal is recorded unconfirmed and a link goes to the
    proposer's address; staff see it once the link is followed."""
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("poles:proposal-sent")
        email = form.cleaned_data["proposer_email"]
        verdict = ratelimit.check_email_form(request, "proposal", email_key(email))
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        try:
            # The same answer whether or not the address proposed this pole already.
            services.submit_proposal(sectors=form.cleaned_data["sectors"], **form.proposal_fields())
        except MAIL_ERRORS:
            form.add_error(None, MAIL_FAILED)
        else:
            return redirect("poles:proposal-sent")
    return render(
        request, "poles/proposal_form.html", {"form": form}, status=400 if form.is_bound else 200
    )


@require_safe
def proposal_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "poles/proposal_sent.html")


def _link_problem(proposal) -> tuple[str, int]:
    if proposal is None:
        return "unknown", 404
    if proposal.status == proposal.Status.PENDING:
        return "used", 410
    if proposal.status != proposal.Status.UNCONFIRMED:
        # Created, merged or refused: "the team will answer you" would no longer be true.
        return "decided", 410
    return ("expired", 410) if proposal.confirmation_expired else ("", 200)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to the proposer. Opening it shows a button: mail scanners that open
    every link of a message must not confirm an address in its owner's place."""
    proposal = services.find_by_token(token)
    problem, status = _link_problem(proposal)
    if not problem and request.method == "POST":
        try:
            services.confirm_proposal(proposal=proposal)
        except ValidationError as error:  # confirmed by a concurrent request, or expired
            problem, status = ("used", 410) if error.code == "used" else ("expired", 410)
        else:
            return render(request, "poles/proposal_confirmed.html", {"proposal": proposal})
    return render(
        request,
        "poles/proposal_confirm.html",
        {"proposal": proposal, "problem": problem},
        status=status,
    )
