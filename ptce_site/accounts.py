"""Password reset, as Django does it, with the site's e-mails and a volume limit.

Django's ``PasswordResetView`` sends one e-mail per submission, as often as it is posted: here
each submission is counted per client address and per e-mail address (``ptce_site.ratelimit``),
and the message is built by ``ptce_site.emails`` like every other (no HTML escaping in text).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from . import ratelimit
from .emails import build_message, email_key


class PasswordResetForm(auth_forms.PasswordResetForm):
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
