"""Every e-mail the site sends is built here, the same way: a subject and a plain-text body
rendered from ``templates/emails/`` in the registry's language.

Subjects and plain-text bodies are rendered **without autoescaping**: HTML escaping in a text
e-mail shows ``Marmite d&#x27;Afrique`` to the reader, and protects nothing (a mail client does
not interpret a text part). A subject is one line whatever a pole's or a person's name holds, so
that a newline typed in a name cannot add a header (Django would refuse the message instead).
An HTML part, when a message has one (``emails/<name>.html``), is rendered with autoescaping, as
every HTML page is.
"""

from __future__ import annotations

import smtplib
import unicodedata

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

# What a mail server that refuses a message raises: nothing was recorded, the sender may retry.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def email_key(email: str) -> str:
    """One key for every spelling of an address that reaches the same account: Django finds
    accounts by address through Unicode case folding (``ſ`` is ``s``, ``K`` is ``k``), so
    comparisons and volume limits use it too."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def render_text(template_name: str, context: dict) -> str:
    """A text template rendered without autoescaping (its includes too)."""
    template = get_template(template_name).template  # the engine's own Template
    return template.render(Context(context, autoescape=False))


def one_line(text: str) -> str:
    """Any run of whitespace, newlines included, becomes one space."""
    return " ".join(text.split())


def render_subject(template_name: str, context: dict) -> str:
    return one_line(render_text(template_name, context))


def _html_part(name: str, context: dict) -> str | None:
    try:
        template = get_template(f"emails/{name}.html")
    except TemplateDoesNotExist:
        return None
    return template.render(context)


def build_message(
    name: str, context: dict, to: list[str], *, reply_to: list[str] | None = None
) -> EmailMultiAlternatives:
    """The message ``emails/<name>_subject.txt`` + ``emails/<name>.txt`` (+ ``.html`` if there is
    one), in French, the registry's language, whatever language the sender's page is in."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_subject(f"emails/{name}_subject.txt", context)
        body = render_text(f"emails/{name}.txt", context)
        html = _html_part(name, context)
    message = EmailMultiAlternatives(
        subject, body, settings.DEFAULT_FROM_EMAIL, to, reply_to=reply_to
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message
