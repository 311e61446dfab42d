"""The "Contact" page: the registry team's address (``CONTACT_EMAIL``) and a form that writes
to it, with the protections of the other public forms (honeypot, volume limit, CSRF).

The message goes to ``CONTACT_EMAIL``, or, when it is empty, to the staff who are told of
proposals and claims (``notifications.recipients``), with the sender's address as Reply-To.
It lives with the leadership because that fallback does; the page is ``/contact/``.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ptce_site import ratelimit
from ptce_site.emails import MAIL_ERRORS, build_message, email_key
from ptce_site.forms import HoneypotMixin
from ptce_site.validators import clean_single_line, clean_text_block, validate_single_line

from .notifications import recipients as staff_recipients

logger = logging.getLogger(__name__)


class ContactForm(HoneypotMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Votre nom"),
        max_length=150,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Votre adresse e-mail"),
        help_text=gettext_lazy("L'équipe du registre vous répondra à cette adresse."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(
        label=gettext_lazy("Objet"), max_length=150, validators=[validate_single_line]
    )
    message = forms.CharField(
        label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()

    def clean_name(self) -> str:
        return clean_single_line(self.cleaned_data["name"])

    def clean_subject(self) -> str:
        return clean_single_line(self.cleaned_data["subject"])

    def clean_message(self) -> str:
        return clean_text_block(self.cleaned_data["message"])


def team_addresses() -> list[str]:
    return [settings.CONTACT_EMAIL] if settings.CONTACT_EMAIL else staff_recipients()


def _send(form: ContactForm) -> str | None:
    """Send the message to the team; the problem, in French, if it could not leave."""
    to = team_addresses()
    if not to:
        logger.error("Contact form: neither CONTACT_EMAIL nor a staff address to write to.")
        return _("Le formulaire de contact n'est pas encore configuré : réessayez plus tard.")
    data = form.cleaned_data
    message = build_message("contact_message", {"contact": data}, to, reply_to=[data["email"]])
    try:
        message.send()
    except MAIL_ERRORS:
        logger.exception("Contact form: the message could not be sent.")
        return _(
            "Votre message n'a pas pu partir (serveur de messagerie injoignable). Il est "
            "conservé ci-dessous : réessayez dans quelques instants."
        )
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("contact-sent")
        verdict = ratelimit.check_email_form(
            request, "contact", email_key(form.cleaned_data["email"])
        )
        if not verdict.allowed:
            return ratelimit.too_many_requests(request, verdict)
        problem = _send(form)
        if problem is None:
            return redirect("contact-sent")
        form.add_error(None, problem)
    return render(
        request,
        "contact.html",
        {"form": form, "contact_email": settings.CONTACT_EMAIL},
        status=400 if form.is_bound else 200,
    )


@require_safe
def contact_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "contact_sent.html")
