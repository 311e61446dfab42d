"""The API's documentation page, in the site's look, rendered on the server from the OpenAPI
schema that drf-spectacular generates from the code: each endpoint with its parameters and
the fields of its answer, each object with its fields.

Written here rather than with Swagger UI or Redoc: those are large client-side applications
(inline styles and scripts that the site's CSP refuses, a bundle to vendor and keep up to
date), whereas a server-rendered page works without JavaScript, is read by screen readers as
plain tables and headings, and shows exactly the schema served at ``/api/v1/schema/``.
"""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer2
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ptce_site.cache import cache_public_page
from ptce_site.links import absolute_url

REF = "#/components/schemas/"


@lru_cache(maxsize=4)
def openapi_schema(language: str) -> dict:
    """The schema in ``language`` (the active one: its summaries, descriptions and choice
    labels are lazy translations, rendered when drf-spectacular builds it), built once per
    process and language."""
    return SchemaGenerator().get_schema(request=None, public=True)


class SchemaView(APIView):
    """The OpenAPI 3 schema, JSON (YAML with ``Accept: application/yaml``), built once per
    process and language rather than at each request (0.2 s)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer2]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(openapi_schema(get_language()))


def _type(schema: dict, components: dict) -> dict:
    """A property's type in words, its values when they are a list of codes, and the object it
    refers to (an anchor), if any."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        target = components.get(name, {})
        if "enum" in target:  # a list of codes (drf-spectacular's ``…Enum`` components)
            return {"type": target.get("type", "string"),
                    "enum": [value for value in target["enum"] if value not in ("", None)]}
        return {"type": "object", "ref": name}
    if "allOf" in schema:
        return _type(schema["allOf"][0], components)
    if "oneOf" in schema:
        # drf-spectacular writes a nullable reference as oneOf [$ref, null enum].
        refs = [_type(option, components) for option in schema["oneOf"] if "$ref" in option]
        return refs[0] if refs else {"type": "string"}
    if schema.get("type") == "array":
        inner = _type(schema.get("items", {}), components)
        return {**inner, "type": f"array of {inner['type']}"}
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if fmt := schema.get("format"):
        kind += f" ({fmt})"
    return {"type": kind}


def _fields(component: dict, components: dict) -> list[dict]:
    required = set(component.get("required", []))
    return [
        {
            "name": name,
            "enum": [value for value in prop.get("enum", []) if value not in ("", None)],
            **_type(prop, components),
            "nullable": prop.get("nullable", False),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in component.get("properties", {}).items()
    ]


def _answer(operation: dict, components: dict) -> dict:
    """What the endpoint answers: a page of objects, one object, or another object."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = next(iter(content.values()), {}).get("schema", {})
    kind = _type(schema, components)
    return {"ref": kind.get("ref"), "many": kind["type"].startswith("array")}


def _endpoints(schema: dict) -> list[dict]:
    components = schema.get("components", {}).get("schemas", {})
    endpoints = []
    for route, methods in schema.get("paths", {}).items():
        operation = methods.get("get")
        if not operation:
            continue
        endpoints.append(
            {
                "path": route,
                "anchor": operation["operationId"],
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [
                    {
                        "name": parameter["name"],
                        "where": parameter["in"],
                        "required": parameter.get("required", False),
                        "description": parameter.get("description", ""),
                        "enum": parameter.get("schema", {}).get("enum", []),
                        **_type(parameter.get("schema", {}), components),
                    }
                    for parameter in operation.get("parameters", [])
                ],
                "answer": _answer(operation, components),
            }
        )
    return endpoints


def documentation(language: str) -> dict:
    schema = openapi_schema(language)
    components = schema.get("components", {}).get("schemas", {})
    return {
        "info": schema.get("info", {}),
        "endpoints": _endpoints(schema),
        "objects": [
            {"name": name, "fields": _fields(component, components),
             "description": component.get("description", "")}
            for name, component in sorted(components.items())
            if component.get("type") == "object"
        ],
    }


@require_safe
@cache_public_page()
def api_docs(request: HttpRequest) -> HttpResponse:
    context = {
        "docs": documentation(get_language()),
        "base": absolute_url(""),
        "schema_url": absolute_url(reverse("api-v1:schema")),
        "root_url": absolute_url(reverse("api-v1:root")),
    }
    return render(request, "poles/api_docs.html", context)
