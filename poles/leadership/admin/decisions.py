"""Running a curator's decision (approve, refuse, resend, revoke, invite) and telling them
what came of it, for the bulk actions and the change pages' buttons alike."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext

from ptce_site.emails import MAIL_ERRORS


def mail_failed(model_admin: admin.ModelAdmin, request: HttpRequest) -> None:
    model_admin.message_user(
        request,
        gettext(
            "L'e-mail n'a pas pu partir (serveur de messagerie injoignable) : rien n'a été "
            "enregistré. Réessayez dans quelques instants."
        ),
        messages.ERROR,
    )


def object_pk(object_id: str) -> int:
    """The primary key in an admin URL; a 404 for anything but ASCII digits (not "²", "①")."""
    if not (object_id.isascii() and object_id.isdigit()):
        raise Http404
    return int(object_id)


def attempt(model_admin, request: HttpRequest, act) -> bool | None:
    """Run ``act()``: True if it went through; False if refused, the reasons shown as
    warnings; None if the mail server did not answer (nothing was recorded, said so)."""
    try:
        act()
    except ValidationError as error:
        for text in error.messages:
            model_admin.message_user(request, text, messages.WARNING)
        return False
    except MAIL_ERRORS:
        mail_failed(model_admin, request)
        return None
    return True


def apply_each(model_admin, request, objects, act, message) -> None:
    """Run ``act`` on each object (a bulk action), then say how many succeeded (``message``:
    an ``ngettext_lazy`` counting ``count``). A mail server that does not answer stops the
    loop."""
    done = 0
    for obj in objects:
        outcome = attempt(model_admin, request, lambda obj=obj: act(obj))
        if outcome is None:
            break
        done += outcome
    if done:
        model_admin.message_user(request, message % {"count": done}, messages.SUCCESS)


class PendingTitleMixin:
    """A change list titled with how many objects wait for staff: ``pending_title`` (an
    ``ngettext_lazy`` counting ``count``) and ``pending()``, a filter of the rows the account
    sees (``get_queryset``: a regional curator counts their regions' only)."""

    pending_title: str

    def pending(self, queryset):
        raise NotImplementedError

    def changelist_view(self, request, extra_context=None):
        count = self.pending(self.get_queryset(request).order_by()).count()
        title = self.pending_title % {"count": count}
        return super().changelist_view(request, {"title": title, **(extra_context or {})})
