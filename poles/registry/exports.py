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

from .models import Pole
from .querysets import PoleQuerySet

Column = tuple[str, Callable[[Pole], object]]


def _optional(value):
    """An unknown number as an empty cell, not "None"."""
    return "" if value is None else value


def _iso(day) -> str:
    return day.isoformat() if day else ""


POLE_COLUMNS: list[Column] = [
    (_("nom"), lambda pole: pole.name),
    (_("adresse"), lambda pole: absolute_url(pole.get_absolute_url())),
    (_("statut"), lambda pole: pole.get_status_display()),
    (_("pôle témoin"), lambda pole: yes_no(pole.is_witness)),
    (_("région"), lambda pole: pole.region.name if pole.region else ""),
    (_("territoire"), lambda pole: pole.territory),
    (_("commune"), lambda pole: pole.commune_name),
    (_("code commune"), lambda pole: pole.commune_code),
    (_("secteurs"), lambda pole: ", ".join(sector.name for sector in pole.sectors.all())),
    (_("lauréat de"), lambda pole: ", ".join(a.call.title for a in pole.laureate_applications)),
    (_("année de création"), lambda pole: _optional(pole.founded_year)),
    (_("signature de la charte"), lambda pole: _iso(pole.charter_signed_on)),
    (_("site web"), lambda pole: pole.website),
    (_("e-mail"), lambda pole: pole.contact_email),
    (_("téléphone"), lambda pole: pole.contact_phone),
    (_("latitude"), lambda pole: _optional(pole.latitude)),
    (_("longitude"), lambda pole: _optional(pole.longitude)),
    (
        _("mis à jour le"),
        lambda pole: timezone.localtime(pole.updated_at).strftime("%Y-%m-%d %H:%M"),
    ),
]

def poles_csv(filename: str, poles: PoleQuerySet, delimiter: str = ";") -> HttpResponse:
    """``poles`` as a CSV download, one row per pole with ``POLE_COLUMNS``, in constant
    queries."""
    rows = (
        [value(pole) for _header, value in POLE_COLUMNS]
        for pole in poles.for_cards().iterator(chunk_size=500)
    )
    return csv_response(
        filename, [header for header, _value in POLE_COLUMNS], rows, delimiter=delimiter
    )
