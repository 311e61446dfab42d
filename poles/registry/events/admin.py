"""Curation of the approach's events by national curators (reference data: regional curators
only view them, ``ptce_site/curators.py``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from ptce_site.admin_site import RelatedKeysMixin

from .models import Event


@admin.register(Event)
class EventAdmin(RelatedKeysMixin, TranslationAdmin):
    list_display = ["title", "start_date", "date_precision", "kind", "place"]
    list_filter = ["kind", "date_precision", ("start_date", admin.DateFieldListFilter)]
    # In French and English (``poles/translation.py``); an English text left empty shows the
    # French one on the English pages.
    search_fields = ["title_fr", "title_en", "slug", "place_fr", "description_fr"]
    prepopulated_fields = {"slug": ["title_fr"]}
    autocomplete_fields = ["organisers", "poles", "sources"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (_("Identité"), {"fields": ["title", "slug", "kind", "description"]}),
        (_("Date et lieu"), {"fields": ["start_date", "date_precision", "end_date", "place"]}),
        (
            _("Chiffres (vides quand aucun document ne les donne)"),
            {
                "fields": [
                    "participants",
                    "participants_is_lower_bound",
                    "poles_represented",
                    "regions_concerned",
                ]
            },
        ),
        (_("Qui"), {"fields": ["organisers", "poles"]}),
        (_("Sources"), {"fields": ["sources", "created_at", "updated_at"]}),
    ]
