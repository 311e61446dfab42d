"""Invitations in the admin: created from a pole's page ("Inviter un porteur") or by approving
a claim request; here they are followed, resent or revoked."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ptce_site.admin_utils import account_name

from .. import services
from ..models import Invitation
from .decisions import PendingTitleMixin, apply_each


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
class InvitationAdmin(PendingTitleMixin, admin.ModelAdmin):
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
    pending_title = ngettext_lazy(
        "Invitations des porteurs : %(count)d en attente",
        "Invitations des porteurs : %(count)d en attente",
        "count",
    )

    def has_add_permission(self, request) -> bool:
        return False  # see the pole's page: "Inviter un porteur"

    def pending(self, queryset):
        return queryset.usable()

    @admin.display(description=_("état"))
    def state_label(self, invitation: Invitation) -> str:
        return invitation.state

    @admin.action(
        description=_("Renvoyer (nouveau lien, nouvelle échéance)"), permissions=["change"]
    )
    def resend(self, request, queryset):
        apply_each(
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
        apply_each(
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

