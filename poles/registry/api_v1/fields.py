"""Fields shared by the API's serializers: absolute links on ``SITE_URL`` (never on the
request's Host header, as DRF's hyperlinked fields would build them) and short references."""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ptce_site.links import absolute_url


@extend_schema_field(OpenApiTypes.URI)
class ApiLink(serializers.Field):
    """The object's address in this API (``api-v1:<name>-detail``), by its slug or id."""

    def __init__(self, name: str, lookup: str = "slug", **kwargs):
        self.name, self.lookup = name, lookup
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        key = getattr(instance, self.lookup)
        return absolute_url(reverse(f"api-v1:{self.name}-detail", args=[key]))


@extend_schema_field(OpenApiTypes.URI)
class PageLink(serializers.Field):
    """The object's public page on the site."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        return absolute_url(instance.get_absolute_url())


@extend_schema_field(OpenApiTypes.URI)
class PoleListLink(serializers.Field):
    """The API's list of poles filtered by this object (``?sector=<slug>``)."""

    def __init__(self, parameter: str = "sector", **kwargs):
        self.parameter = parameter
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        query = urlencode({self.parameter: instance.slug})
        return absolute_url(reverse("api-v1:pole-list")) + f"?{query}"


@functools.cache
def reference(model, name: str, *, title: str = "name", page: bool = True):
    """A serializer of a short reference to another object: slug, name, API and page links
    (one class per kind of reference, however many modules ask for it: the schema names it
    once)."""

    attrs = {
        "slug": serializers.SlugField(read_only=True),
        title: serializers.CharField(read_only=True),
        "url": ApiLink(name, help_text=_("L'adresse de l'objet dans cette API.")),
        "Meta": type("Meta", (), {"model": model, "fields": ["slug", title, "url"]}),
    }
    if page:
        attrs["html_url"] = PageLink(help_text=_("Sa page sur le site."))
        attrs["Meta"].fields.append("html_url")
    return type(f"{model.__name__}Reference", (serializers.ModelSerializer,), attrs)
