"""Claim requests ("Je porte ce pôle") in the admin: pending first; approve (which sends an
invitation) or refuse (a polite e-mail), from the list or the request's page; never edited
once decided. Every write goes through ``poles.leadership.services``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ptce_site.admin_utils import account_name

from .. import services
from ..forms import RefuseClaimForm
from ..models import ClaimRequest
from .decisions import PendingTitleMixin, apply_each, attempt, object_pk


@admin.register(ClaimRequest)
class ClaimRequestAdmin(PendingTitleMixin, admin.ModelAdmin):
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
    pending_title = ngettext_lazy(
        "Demandes de gestion des pôles : %(count)d en attente",
        "Demandes de gestion des pôles : %(count)d en attente",
        "count",
    )

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

    def pending(self, queryset):
        return queryset.filter(status=ClaimRequest.Status.PENDING)

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
        return get_object_or_404(
            ClaimRequest.objects.select_related("pole"), pk=object_pk(object_id)
        )

    def _change_url(self, claim: ClaimRequest) -> str:
        return reverse("admin:poles_claimrequest_change", args=[claim.pk])

    def _decide(self, request, claim: ClaimRequest, decide, success: str) -> None:
        """Run one claim's decision and tell the curator what came of it."""
        if attempt(self, request, decide):
            self.message_user(request, success % {"email": claim.email}, messages.SUCCESS)

    @admin.action(description=_("Accepter et envoyer une invitation"), permissions=["change"])
    def approve(self, request, queryset):
        apply_each(
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
        apply_each(
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
            "change_url": self._change_url(claim),
            "form": form,
            "title": gettext("Refuser la demande de %(name)s") % {"name": claim.name},
        }
        return TemplateResponse(request, "admin/poles/claimrequest/refuse.html", context)

