"""Staff review of the yearly indicators: the list with its filters (year, state, region,
source), « Marquer comme vérifiés » (an action, and a button on a year's page), the CSV export
of a selection. Regional curators see and check their regions' poles only (the scope's
``REGION_PATHS``). A save made since the page was opened is refused, not overwritten."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ptce_site.admin_site import RelatedKeysMixin
from ptce_site.admin_utils import HistoryAdmin, NameListFilter
from ptce_site.typography import with_label

from .display import shown
from .exports import indicators_csv
from .fields import FIELD_CLASSES, year_field
from .members import labelled, members_of
from .models import YearlyIndicators

MARK_CHECKED = "_mark_checked"


class YearlyIndicatorsAdminForm(forms.ModelForm):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = YearlyIndicators
        fields = [
            "pole", "year", *YearlyIndicators.FIGURES, "source", "note", "status",
        ]
        field_classes = FIELD_CLASSES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "year" in self.fields:
            self.fields["year"] = year_field(self.fields["year"].label)
        if not self.is_bound and self.instance.pk:
            self.initial["loaded_version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        rows = YearlyIndicators.objects.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        now = rows.values_list("version", flat=True).first()
        if now is not None and cleaned.get("loaded_version") != now:
            raise forms.ValidationError(_(
                "Quelqu'un a enregistré ces indicateurs depuis l'ouverture de la page : "
                "rechargez-la pour voir ses changements, puis recommencez."
            ))
        return cleaned


@admin.register(YearlyIndicators)
class YearlyIndicatorsAdmin(RelatedKeysMixin, HistoryAdmin):
    form = YearlyIndicatorsAdminForm
    change_form_template = "admin/poles/yearlyindicators/change_form.html"
    list_display = [
        "pole", "year", "status", "source", "fte", "jobs_created", "integration_people",
        "budget", "share", "volunteers", "submitted_at", "checked_at",
    ]
    list_filter = ["year", "status", ("pole__region", NameListFilter), "source"]
    list_select_related = ["pole"]
    search_fields = ["pole__name", "=year"]
    autocomplete_fields = ["pole"]
    readonly_fields = [
        "members_at_year_end", "submitted_at", "submitted_by", "checked_at", "checked_by",
        "version",
    ]
    actions = ["mark_checked", "export_csv"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["pole", "year", "loaded_version"]}),
        (_("Indicateurs"), {"fields": [*YearlyIndicators.FIGURES, "members_at_year_end"]}),
        (_("Source et vérification"), {"fields": [
            "source", "note", "status", ("submitted_at", "submitted_by"),
            ("checked_at", "checked_by"), "version",
        ]}),
    ]

    @admin.display(description=_("emplois (ETP)"), ordering="jobs_fte")
    def fte(self, row: YearlyIndicators) -> str:
        return shown("jobs_fte", row.jobs_fte) or "—"

    @admin.display(description=_("budget"), ordering="budget_euros")
    def budget(self, row: YearlyIndicators) -> str:
        return shown("budget_euros", row.budget_euros) or "—"

    @admin.display(description=_("financement public"), ordering="public_funding_share")
    def share(self, row: YearlyIndicators) -> str:
        return shown("public_funding_share", row.public_funding_share) or "—"

    @admin.display(description=_("organisations membres au 31 décembre"))
    def members_at_year_end(self, row: YearlyIndicators) -> str:
        if row.pk is None:
            return "—"
        counts = members_of(row.pole_id, row.year)
        if counts is None:
            return _("aucune adhésion enregistrée")
        return ", ".join(with_label(label, number) for label, number in labelled(counts)) or "0"

    def save_model(self, request, obj, form, change):
        checked_now = MARK_CHECKED in request.POST or (
            obj.is_checked and ("status" in form.changed_data or not change)
        )
        if checked_now:
            obj.mark_checked(request.user)
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Marquer comme vérifiés"), permissions=["change"])
    def mark_checked(self, request, queryset):
        rows = list(queryset.exclude(status=YearlyIndicators.Status.CHECKED))
        with transaction.atomic():
            for row in rows:
                row.mark_checked(request.user)
                row._change_reason = "checked"
                row.save()
        count = len(rows)
        text = ngettext(
            "%(count)d année marquée comme vérifiée : ses chiffres sont publics.",
            "%(count)d années marquées comme vérifiées : leurs chiffres sont publics.",
            count,
        ) % {"count": count}
        self.message_user(request, text, messages.SUCCESS if count else messages.WARNING)

    @admin.action(description=_("Exporter la sélection en CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return indicators_csv(queryset, "indicateurs-annuels-selection", staff=True)
