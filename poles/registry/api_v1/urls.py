"""``/api/v1/`` (namespace ``api-v1``): the router's list and detail of each kind, the entry
point, the OpenAPI 3 schema (``docs.SchemaView``: JSON, or YAML on ``Accept:
application/yaml``) and its documentation page. Every JSON endpoint goes through
``ptce_site.rest.api_endpoint`` (ETag, gzip); ``ptce_site.cors_settings`` opens them
to every origin."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from ptce_site.rest import api_endpoint

from . import charter, docs, indicators, views

app_name = "api-v1"

router = SimpleRouter(use_regex_path=False)
router.register("poles", views.PoleViewSet, basename="pole")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("calls", views.CallViewSet, basename="call")
router.register("regions", views.RegionViewSet, basename="region")
router.register("former-regions", views.FormerRegionViewSet, basename="former-region")
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("events", views.EventViewSet, basename="event")
router.register("indicators", indicators.IndicatorViewSet, basename="indicator")

urlpatterns = [
    path("", api_endpoint(views.ApiRoot.as_view()), name="root"),
    path("schema/", api_endpoint(docs.SchemaView.as_view()), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("charter/", api_endpoint(charter.CharterView.as_view()), name="charter"),
    *(
        path(str(pattern.pattern), api_endpoint(pattern.callback), name=pattern.name)
        for pattern in router.urls
    ),
]

