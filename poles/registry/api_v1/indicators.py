"""``/api/v1/indicators/``: the checked yearly indicators of the published poles, one item per
pole and year, filtered by ``year``, ``region`` (slug) and ``pole`` (slug); newest year first,
then by pole name. Constant queries per page (the member counts in one)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from ptce_site.collation import french

from ..indicators.models import YearlyIndicators
from .indicator_serializers import IndicatorSerializer, with_member_counts


class IndicatorFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        field_name="year", min_value=1, max_value=9999, help_text=_("L'année des chiffres.")
    )
    region = django_filters.CharFilter(
        field_name="pole__region__slug", help_text=_("Le slug de la région actuelle.")
    )
    pole = django_filters.CharFilter(field_name="pole__slug", help_text=_("Le slug du pôle."))

    class Meta:
        model = YearlyIndicators
        fields = ["year", "region", "pole"]


IndicatorFilterSet.base_filters["year"].field_class = forms.IntegerField


@extend_schema_view(
    list=extend_schema(summary=_("Indicateurs annuels vérifiés des pôles publiés")),
    retrieve=extend_schema(summary=_("Les indicateurs vérifiés d'un pôle pour une année")),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    lookup_field = "pk"
    lookup_value_converter = "int"
    filter_backends = [DjangoFilterBackend]
    filterset_class = IndicatorFilterSet
    queryset = (
        YearlyIndicators.objects.public()
        .select_related("pole__region")
        .order_by("-year", french("pole__name"), "pk")
    )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else with_member_counts(page)
