"""Configuration of the JSON API ``/api/v1/`` (Django REST framework and drf-spectacular),
kept out of ``settings.py``, which imports ``REST_FRAMEWORK`` and ``SPECTACULAR_SETTINGS``
from here. Strings only (the schema's description a lazy translation): nothing of DRF is
imported while the settings load.

The API is public and read-only: no authentication (no session, no cookie, no CSRF), JSON
only (DRF's browsable API would need inline scripts that the CSP refuses), every client
counted per address by ``ptce_site.rest.ClientAddressThrottle`` at ``API_THROTTLE_RATE``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from .env import env_str

RATE = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")


def throttle_rate(value: str) -> str:
    """``value`` if DRF understands it as a rate (``120/min``), else a clear start-up error."""
    if not RATE.match(value):
        raise ImproperlyConfigured(
            f"API_THROTTLE_RATE={value!r} must be a number of requests per second, minute, "
            "hour or day, e.g. 120/min."
        )
    return value


# Requests allowed per client address (``ClientAddressThrottle``, which reads the setting).
API_THROTTLE_RATE = throttle_rate(env_str("API_THROTTLE_RATE", "120/min"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["ptce_site.rest.ClientAddressThrottle"],
    "DEFAULT_PAGINATION_CLASS": "ptce_site.rest.SitePagination",
    "DEFAULT_SCHEMA_CLASS": "ptce_site.api_schema.SiteAutoSchema",
    "EXCEPTION_HANDLER": "ptce_site.rest.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "URL_FORMAT_OVERRIDE": None,
    "UNICODE_JSON": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Registre des PTCE — API",
    "DESCRIPTION": gettext_lazy(
        "API JSON en lecture seule du registre des Pôles Territoriaux de Coopération "
        "Économique : pôles publiés, leurs organisations membres et adhésions, appels à projets "
        "avec leurs étapes et candidatures, régions, anciennes régions et secteurs. Données "
        "publiques sous Licence Ouverte 2.0, sans clé ; le nombre de requêtes est limité par "
        "adresse."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "LICENSE": {
        "name": "Licence Ouverte 2.0 (data)",
        "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    },
    # The documentation page lists each field's codes itself.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # Two choice sets named "kind": each its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "members.models.Organisation.Kind",
        "CallKindEnum": "calls.models.Call.Kind",
    },
}
