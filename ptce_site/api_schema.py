"""The OpenAPI schema of the JSON API as drf-spectacular writes it, with the constraints of
two kinds of fields written so that a partner's validator accepts the API's answers
(``tests/poles/test_api_v1_contract.py``). Its own module: ``rest.py``, which DRF's settings
name, cannot import drf-spectacular's views while DRF reads them."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import has_override
from drf_spectacular.openapi import AutoSchema

EMPTY_STRING = {"type": "string", "maxLength": 0}

# The bodies of the API's error answers (``rest.py``): a message in the request's language with
# both languages beside it; a refusal names each parameter with its reasons.
MESSAGE = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "messages": {
            "type": "object",
            "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
            "required": ["fr", "en"],
        },
    },
    "required": ["detail", "messages"],
}
REFUSAL = {
    "type": "object",
    "description": _("Chaque paramètre refusé, avec ses raisons."),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"region": ["Sélectionnez un choix valide. atlantide n’en fait pas partie."]},
}
ERRORS = {
    "406": (_("L'en-tête Accept n'accepte pas de JSON."), MESSAGE),
    "429": (_("Trop de requêtes depuis cette adresse : voyez l'en-tête Retry-After."), MESSAGE),
}
LIST_ERRORS = {
    "400": (_("La valeur d'un paramètre n'est pas comprise (un filtre, page_size) : rien "
              "n'est deviné."), REFUSAL),
    "404": (_("Cette page de résultats n'existe pas."), MESSAGE),
}
DETAIL_ERRORS = {"404": (_("Rien de public à cette adresse."), MESSAGE)}


class SiteAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the API's error answers (which it does not document) and
    two field constraints written as a validator reads them:

    - a validator that refuses what its pattern finds (``inverse_match``: one line, no
      control character) was written as that very pattern, so that every real name failed a
      partner's validation: it is written as "does not contain" (a lookahead, ECMA 262);
    - a text that may be empty or have a format (a website, ``""`` or a URI) was ``oneOf``
      the two, which ``""`` matches both of when the format is not checked (JSON Schema
      validators need not check it): ``anyOf``.
    """

    def _insert_field_validators(self, field, schema):
        for validator in field.validators:
            if isinstance(validator, RegexValidator) and validator.inverse_match:
                found = validator.regex.pattern.encode("ascii", "backslashreplace").decode()
                found = found.replace(r"\x", r"\u00")  # escaped as drf-spectacular does
                schema.setdefault("pattern", rf"^(?![\s\S]*(?:{found}))")
        super()._insert_field_validators(field, schema)
        if schema.get("oneOf", [None])[-1] == EMPTY_STRING:
            schema["anyOf"] = schema.pop("oneOf")

    # The code's docstrings speak to its developers, in English: the schema says only the
    # descriptions given to ``extend_schema`` (which overrides ``get_description``) and
    # ``extend_schema_serializer``, written with gettext to be read in the request's language.
    def get_description(self) -> str:
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if not has_override(serializer, "description"):
            schema.pop("description", None)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {**(LIST_ERRORS if self._is_list_view() else DETAIL_ERRORS), **ERRORS}
        for code, (description, schema) in errors.items():
            responses.setdefault(code, {
                "description": description, "content": {"application/json": {"schema": schema}},
            })
        return responses
