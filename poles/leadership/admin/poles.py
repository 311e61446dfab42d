"""The leadership's parts of the pole's admin page, composed with the registry's in
``poles/admin.py``: the form guarded against concurrent edits (with the logo checks of the
leaders' space), the logo, the history of changes, and who leads the pole (invitations)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Membership
from ptce_site.emails import MAIL_ERRORS

from ...registry.admin import HISTORY_TITLE, TIMESTAMP_FIELDS
from ...registry.models import Pole
from .. import locking, services
from ..forms import InviteLeaderForm
from ..history import describe, recent_changes
from ..models import ClaimRequest
from ..uploads import LogoField, delete_replaced_file, logo_img
from .decisions import mail_failed, object_pk

# The sections the leadership adds to the pole's page (poles/admin.py lays them out).
LOGO_FIELDSET = (_("Logo"), {"fields": ["logo", "logo_preview"]})
LEADERS_FIELDSET = (
    _("Porteurs"),
    {
        "fields": ["leaders"],
        "description": _("Les comptes qui mettent à jour la fiche depuis l'espace des porteurs."),
    },
)
HISTORY_FIELDSET = (HISTORY_TITLE, {"fields": ["change_summary", TIMESTAMP_FIELDS]})
LEADER_INVITATIONS_FIELD = "leader_invitations"


class PoleAdminForm(forms.ModelForm):
    """The admin's pole form, with the optimistic lock the leaders' space has too
    (``poles.leadership.locking``).

    ``loaded_version`` carries the version the curator opened; if the pole was saved since
    (by a leader, another curator or a publish action), saving is refused instead of silently
    overwriting, and a second save knowingly replaces the other change.
    """

    loaded_version = forms.IntegerField(
        label=_("version ouverte"), widget=forms.HiddenInput, required=False
    )
    # The same checks and re-encoding as in the leaders' space.
    logo = LogoField(
        label=_("logo"), required=False, help_text=Pole._meta.get_field("logo").help_text
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The version in the database, not the instance's: a revert from the history
            # opens an old version of the pole, whose own version number is long past.
            self.initial.setdefault(
                "loaded_version", locking.current_version(self.instance.pk, lock=False)
            )

    @property
    def changed_data(self) -> list[str]:
        # The version marker is bookkeeping, not a change to the pole.
        return [name for name in super().changed_data if name != "loaded_version"]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned_data
        # The admin saves inside a transaction: the row stays locked until the save.
        current = locking.current_version(self.instance.pk)
        if locking.is_stale(cleaned_data.get("loaded_version"), current):
            self.data = locking.reopened(self.data, self.add_prefix("loaded_version"), current)
            raise ValidationError(
                _(
                    "Ce pôle a été modifié par ailleurs pendant que vous l'éditiez (il en est "
                    "maintenant à la version %(version)s). Vos saisies sont conservées : "
                    "consultez l'historique, puis enregistrez à nouveau pour remplacer "
                    "l'autre modification."
                ),
                code="stale_version",
                params={"version": current},
            )
        # Count on from the current version (a reverted old version carries its own number).
        if current is not None:
            self.instance.version = current
        return cleaned_data


class PoleLogoMixin:
    """The logo's preview, and replaced logos deleted once the save is committed."""

    @admin.display(description=_("aperçu du logo"))
    def logo_preview(self, pole: Pole) -> str:
        return logo_img(pole.logo, gettext("Logo de %(name)s") % {"name": pole.name}) or "—"

    def save_model(self, request, obj, form, change):
        old_logo = Pole.objects.filter(pk=obj.pk).values_list("logo", flat=True).first() or ""
        # Replaced logos are deleted: an old version restored from the history may name a file
        # that is gone, and then keeps the current logo instead of a broken image.
        if obj.logo and obj.logo._committed and not obj.logo.storage.exists(obj.logo.name):
            obj.logo = old_logo
        super().save_model(request, obj, form, change)
        delete_replaced_file(obj.logo.storage, old_logo, obj.logo.name)


class PoleChangesMixin:
    """The pole's recent changes on its page, and readable changes in its history pages, from
    ``poles.leadership.history`` (the same reader as the leaders' space and the e-mails)."""

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The changes of each listed version, from ``poles.leadership.history`` (a constant
        number of queries, with readable values) instead of one diff per version and
        many-to-many field."""
        records = list(historical_records)
        changes = {
            change.history_id: change
            for change in describe(
                Pole.history.filter(history_id__in=[record.history_id for record in records]),
                Membership.history.none(),
                limit=None,
            )
        }
        for record in records:
            change = changes.get(record.history_id)
            record.history_delta_changes = [
                {"field": field.label, "old": field.before, "new": field.after}
                for field in (change.fields if change else [])
            ]

    @admin.display(description=_("historique des modifications"))
    def change_summary(self, pole: Pole) -> str:
        """The last ten changes to the pole and its memberships, from the admin, the leaders'
        space or code: when, who, which fields from what to what, and a link to revert."""
        if pole.pk is None:
            return gettext("Aucune modification pour l'instant.")
        changes = recent_changes(pole, limit=10)
        if not changes:
            return gettext("Aucune modification enregistrée.")
        items = []
        for change in changes:
            fields = format_html_join(
                "", "<li>{} : {} → {}</li>", ((f.label, f.before, f.after) for f in change.fields)
            )
            revert = ""
            if change.kind == "pole" and change.action == "~":
                revert = format_html(
                    ' <a href="{}">{}</a>',
                    reverse("admin:poles_pole_simple_history", args=[pole.pk, change.history_id]),
                    gettext("voir ou rétablir cette version"),
                )
            items.append(
                format_html(
                    "<li><time>{}</time> — {} : {}{}<ul>{}</ul></li>",
                    formats.date_format(timezone.localtime(change.when), "SHORT_DATETIME_FORMAT"),
                    change.who_for_staff,
                    change.description,
                    revert,
                    fields,
                )
            )
        return format_html(
            '<ul class="change-summary">{}</ul><p><a href="{}">{}</a></p>',
            format_html_join("", "{}", ((item,) for item in items)),
            reverse("admin:poles_pole_history", args=[pole.pk]),
            gettext("Tout l'historique"),
        )


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
        pole = get_object_or_404(Pole, pk=object_pk(object_id))
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
                mail_failed(self, request)
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
