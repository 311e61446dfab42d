"""Visitors' proposals of missing poles in the admin: only those whose sender confirmed their
address, pending first, with the existing poles of a similar name; create an unpublished pole
from one, merge it into an existing pole, or refuse it with a polite (editable) e-mail. Every
write goes through ``poles.leadership.proposals.services``; nothing here publishes a pole."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ptce_site.admin_utils import account_name
from ptce_site.emails import render_text
from ptce_site.scope import scope

from ...registry.models import Pole
from ..proposals import services
from ..proposals.forms import MergeProposalForm, RefuseProposalForm
from ..proposals.models import PoleProposal
from ..proposals.similar import compare, similar_poles
from .decisions import PendingTitleMixin, apply_each, attempt, object_pk


def default_refusal(proposal: PoleProposal) -> str:
    """The polite message a curator starts from, in the registry's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_text("emails/proposal_refused_default.txt", {"proposal": proposal}).strip()


class StatusFilter(admin.SimpleListFilter):
    """The states staff can see (an unconfirmed proposal is never listed)."""

    title = _("état")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [c for c in PoleProposal.Status.choices if c[0] != PoleProposal.Status.UNCONFIRMED]

    def queryset(self, request, queryset):
        known = {value for value, _label in self.lookup_choices}
        return queryset.filter(status=self.value()) if self.value() in known else queryset


@admin.register(PoleProposal)
class PoleProposalAdmin(PendingTitleMixin, admin.ModelAdmin):
    list_display = ["confirmed_at", "name", "region", "proposer_name", "status", "pole"]
    list_display_links = ["confirmed_at", "name"]
    list_filter = [StatusFilter, "confirmed_at"]
    list_select_related = ["region", "pole"]
    search_fields = ["name", "proposer_name", "proposer_email", "summary", "commune_name"]
    ordering = [
        Case(When(status=PoleProposal.Status.PENDING, then=Value(0)), default=Value(1)).asc(),
        "-confirmed_at",
    ]
    actions = ["refuse"]
    change_form_template = "admin/poles/poleproposal/change_form.html"
    fieldsets = [
        (
            _("Le pôle proposé"),
            {
                "fields": [
                    "name",
                    "region",
                    "commune_code",
                    "commune_name",
                    "summary",
                    "website",
                    "sectors_list",
                    "similar_poles_list",
                ]
            },
        ),
        (
            _("La personne"),
            {
                "fields": [
                    "proposer_name",
                    "proposer_role",
                    "proposer_email",
                    "message",
                    "consents_to_contact",
                    "wants_to_lead",
                ]
            },
        ),
        (
            _("Suivi"),
            {
                "fields": [
                    "status",
                    "created_at",
                    "confirmed_at",
                    "decided_at",
                    "decided_by_name",
                    "pole",
                    "invitation",
                    "refusal_message",
                ]
            },
        ),
    ]
    decided_by_name = account_name("decided_by", _("traitée par"))
    pending_title = ngettext_lazy(
        "Propositions de pôles : %(count)d en attente",
        "Propositions de pôles : %(count)d en attente",
        "count",
    )

    def get_readonly_fields(self, request, obj=None):
        # What the visitor wrote is a record: the curator changes the pole, not the proposal.
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .confirmed()
            .select_related("region", "pole", "decided_by", "invitation")
        )

    def has_add_permission(self, request) -> bool:
        return False  # proposals come from the public site

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and not obj.is_pending:
            return False  # decided: viewed only
        return super().has_change_permission(request, obj)

    def pending(self, queryset):
        return queryset.pending()

    @admin.display(description=_("secteurs d'activité"))
    def sectors_list(self, proposal: PoleProposal) -> str:
        return ", ".join(sector.name for sector in proposal.sectors.all()) or "—"

    def get_object(self, request, object_id, from_field=None):
        proposal = super().get_object(request, object_id, from_field)
        if proposal is not None:  # for the similar poles (a read-only field has no request)
            proposal.visible_poles = self._poles(request)
        return proposal

    @staticmethod
    def _poles(request):
        """The poles the account sees (a regional curator: those of their regions)."""
        return scope().visible(Pole.objects.all(), request.user)

    @admin.display(description=_("pôles au nom proche"))
    def similar_poles_list(self, proposal: PoleProposal) -> str:
        poles = getattr(proposal, "visible_poles", Pole.objects.none())
        return render_to_string(
            "admin/poles/poleproposal/similar_poles.html",
            {"poles": similar_poles(proposal.name, poles=poles)},
        )

    # Decisions --------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/creer-pole/",
                wrap(self.create_pole_view),
                name="poles_poleproposal_create_pole",
            ),
            path(
                "<path:object_id>/rattacher/",
                wrap(self.merge_view),
                name="poles_poleproposal_merge",
            ),
            path(
                "<path:object_id>/refuser/",
                wrap(self.refuse_view),
                name="poles_poleproposal_refuse",
            ),
            *super().get_urls(),
        ]

    def _proposal_or_denied(self, request, object_id, permission: str) -> PoleProposal:
        if not (self.has_change_permission(request) and request.user.has_perm(permission)):
            raise PermissionDenied
        return get_object_or_404(
            PoleProposal.objects.confirmed().select_related("region"), pk=object_pk(object_id)
        )

    def _already_decided(self, request, proposal: PoleProposal) -> HttpResponse:
        """A decided proposal's merge or refusal page (an old tab, a bookmark): no form that
        could only fail, but what became of it."""
        self.message_user(
            request,
            gettext("La proposition « %(name)s » a déjà été traitée (%(status)s).")
            % {"name": proposal.name, "status": proposal.get_status_display()},
            messages.WARNING,
        )
        return HttpResponseRedirect(self._change_url(proposal))

    def _change_url(self, proposal: PoleProposal) -> str:
        return reverse("admin:poles_poleproposal_change", args=[proposal.pk])

    def _report_invitation(self, request, proposal: PoleProposal) -> None:
        if getattr(proposal, "invitation_problem", ""):
            self.message_user(request, proposal.invitation_problem, messages.WARNING)
        elif proposal.invitation_id:
            self.message_user(
                request,
                gettext("Une invitation à porter le pôle est partie à %(email)s.")
                % {"email": proposal.proposer_email},
                messages.SUCCESS,
            )

    def create_pole_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The "Créer le pôle (non publié)" button (POST only)."""
        return require_POST(self._create_pole)(request, object_id)

    def _create_pole(self, request, object_id):
        proposal = self._proposal_or_denied(request, object_id, "poles.add_pole")
        outcome = {}

        def act():
            outcome["proposal"] = services.create_pole(proposal=proposal, decided_by=request.user)

        if not attempt(self, request, act):
            return HttpResponseRedirect(self._change_url(proposal))
        decided = outcome["proposal"]
        self.log_change(request, decided, f"Pôle créé d'après la proposition : {decided.pole.name}")
        self.message_user(
            request,
            gettext(
                "Le pôle « %(name)s » est créé, non publié : complétez sa fiche, puis "
                "publiez-la quand elle est vérifiée."
            )
            % {"name": decided.pole.name},
            messages.SUCCESS,
        )
        self._report_invitation(request, decided)
        return HttpResponseRedirect(reverse("admin:poles_pole_change", args=[decided.pole_id]))

    def _form_page(self, request, proposal, form, *, template: str, title: str, **extra):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": proposal,
            "proposal": proposal,
            "change_url": self._change_url(proposal),
            "form": form,
            "title": title,
            **extra,
        }
        return TemplateResponse(request, template, context)

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Link the proposal to an existing pole, whose profile does not change."""
        proposal = self._proposal_or_denied(request, object_id, "poles.change_pole")
        if not proposal.is_pending:
            return self._already_decided(request, proposal)
        poles = self._poles(request)
        similar = similar_poles(proposal.name, poles=poles)
        # The pole to compare with: the one asked for (?pole=), else the closest name.
        chosen = self._pole_asked_for(request, poles) or (similar[0] if similar else None)
        initial = {"pole": chosen.pk if chosen else None, "invite": proposal.wants_to_lead}
        form = MergeProposalForm(
            request.POST if request.method == "POST" else None, initial=initial, poles=poles
        )
        if request.method == "POST" and form.is_valid():
            outcome = {}

            def act():
                outcome["proposal"] = services.merge_proposal(
                    proposal=proposal,
                    pole=form.cleaned_data["pole"],
                    decided_by=request.user,
                    invite=form.cleaned_data["invite"],
                )

            if attempt(self, request, act):
                pole = form.cleaned_data["pole"]
                self.log_change(request, proposal, f"Rattachée au pôle : {pole.name}")
                self.message_user(
                    request,
                    gettext("La proposition est rattachée au pôle « %(name)s », inchangé.")
                    % {"name": form.cleaned_data["pole"].name},
                    messages.SUCCESS,
                )
                self._report_invitation(request, outcome["proposal"])
            return HttpResponseRedirect(self._change_url(proposal))
        return self._form_page(
            request,
            proposal,
            form,
            template="admin/poles/poleproposal/merge.html",
            title=gettext("Rattacher « %(name)s » à un pôle existant") % {"name": proposal.name},
            similar=similar,
            chosen=chosen,
            comparison=compare(proposal, chosen) if chosen else [],
        )

    @staticmethod
    def _pole_asked_for(request, poles) -> Pole | None:
        value = request.GET.get("pole", "")
        if not (value.isascii() and value.isdigit() and len(value) < 19):
            return None
        return poles.select_related("region").filter(pk=int(value)).first()

    def refuse_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """An editable polite message, then the e-mail."""
        proposal = self._proposal_or_denied(request, object_id, "poles.change_poleproposal")
        if not proposal.is_pending:
            return self._already_decided(request, proposal)
        form = RefuseProposalForm(
            request.POST if request.method == "POST" else None,
            initial={"message": default_refusal(proposal)},
        )
        if request.method == "POST" and form.is_valid():
            message = form.cleaned_data["message"]
            if attempt(self, request, lambda: self._refuse_one(request, proposal, message)):
                self.message_user(
                    request,
                    gettext("Proposition refusée : un e-mail poli est parti à %(email)s.")
                    % {"email": proposal.proposer_email},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._change_url(proposal))
        return self._form_page(
            request,
            proposal,
            form,
            template="admin/poles/poleproposal/refuse.html",
            title=gettext("Refuser la proposition « %(name)s »") % {"name": proposal.name},
        )

    def _refuse_one(self, request, proposal: PoleProposal, message: str) -> None:
        services.refuse_proposal(proposal=proposal, decided_by=request.user, message=message)
        self.log_change(request, proposal, "Refusée (e-mail envoyé à l'auteur)")

    @admin.action(description=_("Refuser (e-mail poli)"), permissions=["change"])
    def refuse(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda proposal: self._refuse_one(request, proposal, default_refusal(proposal)),
            ngettext_lazy(
                "%(count)d proposition refusée : un e-mail poli est parti.",
                "%(count)d propositions refusées : un e-mail poli est parti pour chacune.",
                "count",
            ),
        )
