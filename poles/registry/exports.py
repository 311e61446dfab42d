"""The public directory's CSV of poles: its own small set of columns (the admin's exports and
imports take theirs from ``resources.PoleResource``); the file format and the neutralisation
of cells are ``ptce_site.exports``'s, shared with the admin's."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce_site.exports import csv_response, yes_no
from ptce_site.links import absolute_url

from .models import EARLIEST_FOUNDING_YEAR, Pole
from .querysets import PoleQuerySet

Column = tuple[str, Callable[[Pole], object], dict]


def _optional(value):
    """An unknown number as an empty cell, not "None"."""
    return "" if value is None else value


def _iso(day) -> str:
    return day.isoformat() if day else ""


def updated_on(pole: Pole) -> str:
    """« mis à jour le » in files (this CSV and the admin's): when a person last changed what
    the pole's page says (``provenance``), as the page dates it; empty for the source
    documents' facts, which no one has updated (the row's technical time would date the seed's
    load, or a publication, as an update)."""
    moment = pole.content_changed_at
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# Each column: its header, its value, and its field in the CSV's Table Schema
# (``datapackage.py``: the type and constraints a reader may rely on; text unless it says).
REQUIRED = {"constraints": {"required": True}}
POLE_COLUMNS: list[Column] = [
    (_("nom"), lambda pole: pole.name, REQUIRED),
    (_("adresse"), lambda pole: absolute_url(pole.get_absolute_url()),
     {"format": "uri", "constraints": {"required": True, "unique": True}}),
    (_("statut"), lambda pole: pole.get_status_display(), {"enum": "status"}),
    (_("pôle témoin"), lambda pole: yes_no(pole.is_witness), {"type": "boolean", "description": _(
        "Pôle témoin de la démarche nationale : « oui » ou « non » quand une source ou une "
        "personne le dit ; vide quand on ne le sait pas."
    )}),
    (_("région"), lambda pole: pole.region.name if pole.region else "", {}),
    (_("territoire"), lambda pole: pole.territory, {}),
    (_("commune"), lambda pole: pole.commune_name, {}),
    (_("code commune"), lambda pole: pole.commune_code,
     {"constraints": {"pattern": "[0-9]{5}|2[AB][0-9]{3}"}}),
    (_("secteurs"), lambda pole: ", ".join(sector.name for sector in pole.sectors.all()), {}),
    (_("lauréat de"), lambda pole: ", ".join(a.call.title for a in pole.laureate_applications),
     {}),
    (_("année de création"), lambda pole: _optional(pole.founded_year),
     {"type": "integer", "constraints": {"minimum": EARLIEST_FOUNDING_YEAR}}),
    (_("signature de la charte"), lambda pole: _iso(pole.charter_signed_on), {
        "type": "date",
        "description": _("Vide tant qu'aucune signature n'est enregistrée (les documents "
                         "sources ne nomment aucun signataire)."),
    }),
    (_("site web"), lambda pole: pole.website, {"format": "uri"}),
    (_("e-mail"), lambda pole: pole.contact_email, {"format": "email"}),
    (_("téléphone"), lambda pole: pole.contact_phone, {}),
    (_("latitude"), lambda pole: _optional(pole.latitude),
     {"type": "number", "constraints": {"minimum": -90, "maximum": 90}}),
    (_("longitude"), lambda pole: _optional(pole.longitude),
     {"type": "number", "constraints": {"minimum": -180, "maximum": 180}}),
    (_("mis à jour le"), updated_on, {
        "type": "datetime", "format": "%Y-%m-%d %H:%M",
        "description": _("Dernière modification du contenu par une personne (le pôle ou "
                         "l'équipe du registre) ; vide si ses données sont celles de ses "
                         "documents sources."),
    }),
]

def poles_csv(filename: str, poles: PoleQuerySet, delimiter: str = ";") -> HttpResponse:
    """``poles`` as a CSV download, one row per pole with ``POLE_COLUMNS``, in constant
    queries."""
    rows = (
        [value(pole) for _header, value, _field in POLE_COLUMNS]
        for pole in poles.for_cards().iterator(chunk_size=500)
    )
    return csv_response(
        filename, [header for header, _value, _field in POLE_COLUMNS], rows, delimiter=delimiter
    )
