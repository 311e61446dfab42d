"""The read-only JSON API ``/api/v1/`` (Django REST framework): list and detail of the
published poles, their organisations and memberships, the calls, regions, former regions and
sectors. Whatever is tied to a pole is public only through a published pole (an unpublished
pole, its memberships and the organisations only it holds answer 404).

The poles' list reads its filters and search through the directory's one FilterSet
(``PoleFilterSet.for_request``) and its results in the directory's order from the same sets
(``facets.PoleFacets.results``): the API and ``/poles/`` give the same poles for the same query
string. A value the directory would ignore (and say so) is a 400 here, with the form's
message: a program should not be silently given every pole.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import Application, Call, Milestone
from members.filters import OrganisationFilterSet
from members.models import Membership, Organisation
from ptce_site.collation import french
from ptce_site.links import absolute_url

from ...territories.models import FormerRegion, Region
from ..events.models import Event
from ..facets import PoleFacets
from ..filters import PoleFilterSet
from ..models import Pole, Sector
from . import serializers as s


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """The query parameters of a FilterSet, for the schema: each filter's name, its label (and
    help) as description, and its choices as an enum when they are fixed."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        # Lazy: built at import, read in the language of each request (the schema and its
        # documentation page are kept per language by ``docs.openapi_schema``).
        description = filter_.label or name
        if help_text := filter_.extra.get("help_text"):
            description = format_lazy("{} ({})", description, help_text)
        enum = None
        if isinstance(filter_, django_filters.ModelChoiceFilter):
            description = format_lazy("{} — slug", description)
        elif choices := filter_.extra.get("choices"):
            enum = [str(value) for value, _label in choices]
        parameters.append(
            OpenApiParameter(name, OpenApiTypes.STR, description=description, enum=enum)
        )
    return parameters


def checked(filterset):
    """``filterset`` if every value was understood; else a 400 with the form's messages."""
    if refused := filterset.refused():
        raise ValidationError(refused)
    return filterset


class ReadOnly(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_converter = "slug"
    detail_serializer_class = None

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class:
            return self.detail_serializer_class
        return self.serializer_class

    def paginated(self, results):
        """The page of ``results`` the request asks for, serialised with its links."""
        page = self.paginate_queryset(results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def organisers():
    """The organisers of a call or an event, by name (``organiser_list``)."""
    return Prefetch("organisers", queryset=Organisation.objects.order_by(french("name")),
                    to_attr="organiser_list")


def sources():
    """The sources of a call or an event, in their model's order (``source_list``)."""
    return Prefetch("sources", to_attr="source_list")


@extend_schema_view(
    list=extend_schema(
        summary=_("Pôles publiés"),
        description=_(
            "Les filtres et la recherche de l'annuaire, avec les mêmes résultats dans le même "
            "ordre que /poles/ (par pertinence pour une recherche, sinon par nom ou selon le tri "
            "choisi)."
        ),
        parameters=filter_parameters(PoleFilterSet),
    ),
    retrieve=extend_schema(summary=_("Un pôle publié, avec ses membres et ses candidatures")),
)
class PoleViewSet(ReadOnly):
    serializer_class = s.PoleSerializer
    detail_serializer_class = s.PoleDetailSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return Pole.objects.published().for_detail()
        return Pole.objects.published().for_cards()

    def list(self, request, *args, **kwargs):
        filterset = checked(PoleFilterSet.for_request(request._request))
        return self.paginated(PoleFacets(filterset).results(self.get_queryset()))


@extend_schema_view(
    list=extend_schema(
        summary=_("Organisations des pôles publiés, organisatrices d'appels et d'événements, et "
                  "signataires de la charte"),
        parameters=filter_parameters(OrganisationFilterSet),
    ),
    retrieve=extend_schema(summary=_("Une organisation, avec ses adhésions aux pôles publiés")),
)
class OrganisationViewSet(ReadOnly):
    serializer_class = s.OrganisationSerializer
    detail_serializer_class = s.OrganisationDetailSerializer

    def get_queryset(self):
        organisations = Organisation.objects.public().select_related("region")
        if self.action != "retrieve":
            return organisations.order_by(french("name"), "pk")
        memberships = (
            Membership.objects.filter(pole__is_published=True)
            .select_related("pole")
            .order_by(french("pole__name"), "pole_id", "role", "pk")
        )
        return organisations.prefetch_related(
            Prefetch("memberships", queryset=memberships, to_attr="public_memberships"),
            Prefetch("organised_calls", to_attr="calls_organised"),
        )

    def list(self, request, *args, **kwargs):
        filterset = checked(OrganisationFilterSet(request.GET or None,
                                                  queryset=self.get_queryset()))
        return self.paginated(filterset.qs)


class MembershipFilterSet(django_filters.FilterSet):
    pole = django_filters.CharFilter(field_name="pole__slug", help_text=_("Le slug du pôle."))
    organisation = django_filters.CharFilter(
        field_name="organisation__slug", help_text=_("Le slug de l'organisation.")
    )
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)
    current = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_current",
        help_text=_("true : en cours (pas de date de départ, ou une date encore à venir) ; "
                    "false : terminée."),
    )

    class Meta:
        model = Membership
        fields = ["pole", "organisation", "role", "current"]

    def filter_current(self, queryset, name, value: str):
        return queryset.current() if value == "true" else queryset.ended()


@extend_schema_view(
    list=extend_schema(summary=_("Adhésions des organisations aux pôles publiés")),
    retrieve=extend_schema(summary=_("Une adhésion")),
)
class MembershipViewSet(ReadOnly):
    serializer_class = s.MembershipSerializer
    lookup_field = "pk"
    lookup_value_converter = "int"
    filter_backends = [DjangoFilterBackend]
    filterset_class = MembershipFilterSet
    queryset = (
        Membership.objects.filter(pole__is_published=True)
        .select_related("pole", "organisation")
        .order_by(french("pole__name"), "pole_id", french("organisation__name"), "pk")
    )


@extend_schema_view(
    list=extend_schema(summary=_("Appels à projets, avec leurs étapes")),
    retrieve=extend_schema(
        summary=_("Un appel, avec ses étapes et les candidatures des pôles publiés")
    ),
)
class CallViewSet(ReadOnly):
    serializer_class = s.CallSerializer
    detail_serializer_class = s.CallDetailSerializer

    def get_queryset(self):
        calls = Call.objects.prefetch_related(
            organisers(),
            Prefetch("milestones", queryset=Milestone.objects.order_by("date", "end_date", "pk"),
                     to_attr="timeline"),
        ).order_by("-year", french("title"), "pk")
        if self.action != "retrieve":
            return calls
        applications = (
            Application.objects.filter(pole__is_published=True)
            .select_related("pole", "former_region__region")
            .order_by(french("pole__name"), "pk")
        )
        return calls.prefetch_related(
            Prefetch("applications", queryset=applications, to_attr="public_applications"),
            sources(),
        )


@extend_schema_view(
    list=extend_schema(summary=_("Les 18 régions, avec leur nombre de pôles publiés")),
    retrieve=extend_schema(summary=_("Une région")),
)
class RegionViewSet(ReadOnly):
    serializer_class = s.RegionSerializer
    queryset = (
        Region.objects.annotate(
            pole_count=Count("poles", filter=Q(poles__is_published=True), distinct=True),
            laureate_count=Count(
                "poles",
                filter=Q(poles__is_published=True,
                         poles__applications__outcome=Application.Outcome.LAUREATE),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch("former_regions", queryset=FormerRegion.objects.order_by(french("name")))
        )
        .order_by(french("name"), "pk")
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("Les 27 régions d'avant 2016, chacune avec la région née de sa fusion")
    ),
    retrieve=extend_schema(summary=_("Une ancienne région")),
)
class FormerRegionViewSet(ReadOnly):
    serializer_class = s.FormerRegionSerializer
    queryset = FormerRegion.objects.select_related("region").order_by(french("name"), "pk")


@extend_schema_view(
    list=extend_schema(summary=_("Secteurs d'activité, avec leur nombre de pôles publiés")),
    retrieve=extend_schema(summary=_("Un secteur")),
)
class SectorViewSet(ReadOnly):
    serializer_class = s.SectorSerializer
    queryset = Sector.objects.annotate(
        pole_count=Count("poles", filter=Q(poles__is_published=True), distinct=True)
    ).order_by(french("name"), "pk")


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class EventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices)
    year = YearFilter(
        field_name="start_date__year", min_value=1, max_value=9999,
        help_text=_("L'année de la date de l'événement."),
    )

    class Meta:
        model = Event
        fields = ["kind", "year"]


@extend_schema_view(
    list=extend_schema(summary=_(
        "Événements de la démarche nationale (la chronologie), du plus ancien au plus récent"
    )),
    retrieve=extend_schema(
        summary=_("Un événement, avec ses organisateurs, ses pôles et ses sources")
    ),
)
class EventViewSet(ReadOnly):
    serializer_class = s.EventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilterSet
    queryset = Event.objects.in_date_order().prefetch_related(
        organisers(),
        Prefetch("poles", queryset=Pole.objects.published().order_by(french("name")),
                 to_attr="pole_list"),
        sources(),
    )


KINDS = (
    "pole", "organisation", "membership", "call", "region", "former-region", "sector", "event",
    "indicator",
)


class IndexSerializer(serializers.Serializer):
    schema = serializers.URLField()
    documentation = serializers.URLField()
    datapackage = serializers.URLField()
    endpoints = serializers.DictField(child=serializers.URLField())


class ApiRoot(APIView):
    """Where everything is: the endpoints, the OpenAPI schema and its documentation."""

    @extend_schema(
        summary=_("Le point d'entrée de l'API"),
        description=_("Où tout se trouve : les adresses, le schéma OpenAPI et sa documentation."),
        responses=IndexSerializer,
    )
    def get(self, request):
        return Response(
            {
                "schema": absolute_url(reverse("api-v1:schema")),
                "documentation": absolute_url(reverse("api-v1:docs")),
                "datapackage": absolute_url(reverse("poles:datapackage")),
                "endpoints": {
                    **{
                        f"{kind.replace('-', '_')}s": absolute_url(reverse(f"api-v1:{kind}-list"))
                        for kind in KINDS
                    },
                    "charter": absolute_url(reverse("api-v1:charter")),
                },
            }
        )
