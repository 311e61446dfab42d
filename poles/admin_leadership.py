"""Who leads a pole, in the admin: claim requests, invitations, and inviting from a pole's page.

Every write goes through ``poles.services`` (which sends the e-mails). ``PoleAdmin`` gets the
"Inviter un porteur" page from ``InviteLeaderMixin``, with the list of the pole's invitations.
"""

from __future__ import annotations

import smtplib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ptce_site.admin_utils import account_name

from . import services
from .leadership_forms import InviteLeaderForm, RefuseClaimForm
from .models import ClaimRequest, Invitation, Pole

# What a mail server that refuses a message raises: nothing was recorded, staff may retry.
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def _mail_failed(model_admin: admin.ModelAdmin, request: HttpRequest) -> None:
    model_admin.message_user(
        request,
        gettext(
            "L'e-mail n'a pas pu partir (serveur de messagerie injoignable) : rien n'a été "
            "enregistré. Réessayez dans quelques instants."
        ),
        messages.ERROR,
    )


def _pk(object_id: str) -> int:
    """The primary key in an admin URL; a 404 for anything but ASCII digits (not "²", "①")."""
    if not (object_id.isascii() and object_id.isdigit()):
        raise Http404
    return int(object_id)


def _attempt(model_admin, request: HttpRequest, act) -> bool | None:
    """Run ``act()``: True if it went through; False if refused, the reasons shown as
    warnings; None if the mail server did not answer (nothing was recorded, said so)."""
    try:
        act()
    except ValidationError as error:
        for text in error.messages:
            model_admin.message_user(request, text, messages.WARNING)
        return False
    except MAIL_ERRORS:
        _mail_failed(model_admin, request)
        return None
    return True


def _apply_each(model_admin, request, objects, act, message) -> None:
    """Run ``act`` on each object (a bulk action), then say how many succeeded (``message``:
    an ``ngettext_lazy`` counting ``count``). A mail server that does not answer stops the
    loop."""
    done = 0
    for obj in objects:
        outcome = _attempt(model_admin, request, lambda obj=obj: act(obj))
        if outcome is None:
            break
        done += outcome
    if done:
        model_admin.message_user(request, message % {"count": done}, messages.SUCCESS)


# Claim requests ---------------------------------------------------------------------------------


@admin.register(ClaimRequest)
class ClaimRequestAdmin(admin.ModelAdmin):
    """Requests sent from a pole's page: pending first; approve or refuse, never edit after."""

    list_display = ["created_at", "pole", "name", "email", "status", "decided_at"]
    list_display_links = ["created_at", "name"]
    list_filter = ["status", "created_at"]
    list_select_related = ["pole"]
    search_fields = ["name", "email", "role", "message", "pole__name"]
    ordering = [
        Case(When(status=ClaimRequest.Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-created_at",
    ]
    actions = ["approve", "refuse"]
    change_form_template = "admin/poles/claimrequest/change_form.html"
    fields = [
        "pole",
        "name",
        "role",
        "email",
        "message",
        "status",
        "created_at",
        "decided_at",
        "decided_by_name",
        "invitation",
    ]
    always_read_only = [
        "pole", "status", "created_at", "decided_at", "decided_by_name", "invitation"
    ]
    decided_by_name = account_name("decided_by", _("décidée par"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pole", "decided_by", "invitation")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_pending:
            return self.fields
        return self.always_read_only

    def has_change_permission(self, request, obj=None) -> bool:
        # A decided request is a record: it is only viewed from then on.
        if obj is not None and not obj.is_pending:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False  # requests come from the public site

    def changelist_view(self, request, extra_context=None):
        pending = ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING).count()
        title = ngettext(
            "Demandes de gestion des pôles : %(count)d en attente",
            "Demandes de gestion des pôles : %(count)d en attente",
            pending,
        ) % {"count": pending}
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/accepter/",
                wrap(self.approve_view),
                name="poles_claimrequest_approve",
            ),
            path(
                "<path:object_id>/refuser/",
                wrap(self.refuse_view),
                name="poles_claimrequest_refuse",
            ),
            *super().get_urls(),
        ]

    def _claim_or_denied(self, request, object_id) -> ClaimRequest:
        if not self.has_change_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(ClaimRequest.objects.select_related("pole"), pk=_pk(object_id))
        return claim

    def _change_url(self, claim: ClaimRequest) -> str:
        return reverse("admin:poles_claimrequest_change", args=[claim.pk])

    def _decide(self, request, claim: ClaimRequest, decide, success: str) -> None:
        """Run one claim's decision and tell the curator what came of it."""
        if _attempt(self, request, decide):
            self.message_user(request, success % {"email": claim.email}, messages.SUCCESS)

    @admin.action(description=_("Accepter et envoyer une invitation"), permissions=["change"])
    def approve(self, request, queryset):
        _apply_each(
            self,
            request,
            queryset.select_related("pole"),
            lambda claim: services.approve_claim(
                claim=claim, decided_by=request.user
            ),
            ngettext_lazy(
                "%(count)d demande acceptée : l'invitation est partie par e-mail.",
                "%(count)d demandes acceptées : les invitations sont parties par e-mail.",
                "count",
            ),
        )

    @admin.action(description=_("Refuser (e-mail poli)"), permissions=["change"])
    def refuse(self, request, queryset):
        _apply_each(
            self,
            request,
            queryset.select_related("pole"),
            lambda claim: services.refuse_claim(
                claim=claim, decided_by=request.user
            ),
            ngettext_lazy(
                "%(count)d demande refusée : un e-mail poli est parti.",
                "%(count)d demandes refusées : un e-mail poli est parti pour chacune.",
                "count",
            ),
        )

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's "Accepter" button (POST only)."""
        return require_POST(self._approve_one)(request, object_id)

    def _approve_one(self, request, object_id):
        claim = self._claim_or_denied(request, object_id)
        self._decide(
            request,
            claim,
            lambda: services.approve_claim(claim=claim, decided_by=request.user),
            gettext("Demande acceptée : une invitation est partie à %(email)s."),
        )
        return HttpResponseRedirect(self._change_url(claim))

    def refuse_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's "Refuser" button: an optional reason, then the polite e-mail."""
        claim = self._claim_or_denied(request, object_id)
        form = RefuseClaimForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            self._decide(
                request,
                claim,
                lambda: services.refuse_claim(
                    claim=claim,
                    decided_by=request.user,
                    reason=form.cleaned_data["reason"],
                ),
                gettext("Demande refusée : un e-mail poli est parti à %(email)s."),
            )
            return HttpResponseRedirect(self._change_url(claim))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": claim,
            "claim": claim,
            "form": form,
            "title": gettext("Refuser la demande de %(name)s") % {"name": claim.name},
        }
        return TemplateResponse(request, "admin/poles/claimrequest/refuse.html", context)


# Invitations ------------------------------------------------------------------------------------


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("en attente")),
            ("expired", _("expirée")),
            ("accepted", _("acceptée")),
            ("revoked", _("révoquée")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "pending":
                return queryset.usable()
            case "expired":
                return queryset.pending().filter(expires_at__lte=now)
            case "accepted":
                return queryset.filter(accepted_at__isnull=False)
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are created from a pole's page ("Inviter un porteur") or by approving a
    claim request; here they are followed, resent or revoked."""

    list_display = [
        "email",
        "pole",
        "state_label",
        "invited_by",
        "sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
    ]
    list_filter = [InvitationStateFilter, "created_at"]
    list_select_related = ["pole", "invited_by"]
    search_fields = ["email", "pole__name", "user__username"]
    actions = ["resend", "revoke"]
    fields = [
        "pole",
        "email",
        "user_name",
        "state_label",
        "invited_by_name",
        "created_at",
        "sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    readonly_fields = fields
    user_name = account_name("user", _("compte"))
    invited_by_name = account_name("invited_by", _("invité par"))

    def has_add_permission(self, request) -> bool:
        return False  # see the pole's page: "Inviter un porteur"

    def changelist_view(self, request, extra_context=None):
        pending = Invitation.objects.usable().count()
        title = ngettext(
            "Invitations des porteurs : %(count)d en attente",
            "Invitations des porteurs : %(count)d en attente",
            pending,
        ) % {"count": pending}
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    @admin.display(description=_("état"))
    def state_label(self, invitation: Invitation) -> str:
        return invitation.state

    @admin.action(
        description=_("Renvoyer (nouveau lien, nouvelle échéance)"), permissions=["change"]
    )
    def resend(self, request, queryset):
        _apply_each(
            self,
            request,
            queryset,
            lambda invitation: services.resend_invitation(
                invitation=invitation
            ),
            ngettext_lazy(
                "%(count)d invitation renvoyée ; l'ancien lien ne fonctionne plus.",
                "%(count)d invitations renvoyées ; les anciens liens ne fonctionnent plus.",
                "count",
            ),
        )

    @admin.action(description=_("Révoquer"), permissions=["change"])
    def revoke(self, request, queryset):
        _apply_each(
            self,
            request,
            queryset,
            lambda invitation: services.revoke_invitation(invitation=invitation),
            ngettext_lazy(
                "%(count)d invitation révoquée : son lien ne fonctionne plus.",
                "%(count)d invitations révoquées : leurs liens ne fonctionnent plus.",
                "count",
            ),
        )


# On a pole's change page ------------------------------------------------------------------------


LEADER_INVITATIONS_FIELD = "leader_invitations"


class InviteLeaderMixin:
    """For the pole admin: the page ``<pole id>/inviter/`` that invites a leader by e-mail, and
    on the pole's change page, a read-only "Invitations" section listing the pole's invitations
    and pending claim requests, with the "Inviter un porteur" button.

    A read-only field rather than an inline: an inline would add a formset whose management
    data every POST of the pole's form must carry, for rows nobody edits there.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:  # a pole being created has no invitations yet
            return fieldsets
        section = (
            _("Invitations et demandes de gestion"),
            {"fields": [LEADER_INVITATIONS_FIELD]},
        )
        # Right after the leaders, if the form shows them.
        for index, (_name, options) in enumerate(fieldsets):
            if "leaders" in options.get("fields", ()):
                return [*fieldsets[: index + 1], section, *fieldsets[index + 1 :]]
        return [*fieldsets, section]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), LEADER_INVITATIONS_FIELD]

    @admin.display(description=_("invitations"))
    def leader_invitations(self, pole: Pole) -> str:
        if pole.pk is None:
            return ""
        return render_to_string(
            "admin/poles/pole/leader_invitations.html",
            {
                "pole": pole,
                "invitations": pole.invitations.select_related("invited_by").order_by(
                    "-created_at"
                )[:20],
                "pending_claims": pole.claim_requests.filter(
                    status=ClaimRequest.Status.PENDING
                ).order_by("-created_at"),
            },
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/inviter/",
                self.admin_site.admin_view(self.invite_leader_view),
                name="poles_pole_invite",
            ),
            *super().get_urls(),
        ]

    def invite_leader_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        pole = get_object_or_404(Pole, pk=_pk(object_id))
        if not (
            self.has_change_permission(request, pole)
            and request.user.has_perm("poles.add_invitation")
        ):
            raise PermissionDenied
        change_url = reverse("admin:poles_pole_change", args=[pole.pk])
        form = InviteLeaderForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                invitation = services.invite_leader(
                    pole=pole,
                    email=form.cleaned_data["email"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                form.add_error("email", error)
            except MAIL_ERRORS:
                _mail_failed(self, request)
            else:
                text = (
                    gettext(
                        "Une invitation était déjà en attente pour %(email)s : elle est renvoyée "
                        "avec un nouveau lien, valable jusqu'au %(date)s."
                    )
                    if invitation.send_count > 1
                    else gettext(
                        "Invitation envoyée à %(email)s ; le lien est valable jusqu'au %(date)s."
                    )
                )
                date = timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y %H:%M")
                self.message_user(
                    request, text % {"email": invitation.email, "date": date}, messages.SUCCESS
                )
                return HttpResponseRedirect(f"{change_url}#invitations")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": pole,
            "pole": pole,
            "form": form,
            "change_url": change_url,
            "leaders": pole.leaders.order_by("username"),
            "title": gettext("Inviter un porteur pour « %(pole)s »") % {"pole": pole.name},
        }
        return TemplateResponse(request, "admin/poles/pole/invite_leader.html", context)
