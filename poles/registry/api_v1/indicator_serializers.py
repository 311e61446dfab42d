"""What the API says of a pole's checked yearly indicators (``/api/v1/indicators/`` and each
pole's detail): the figures as numbers (``null`` when not given), the member organisations by
kind as of 31 December (computed from the memberships), the source and when staff checked
them. Never a draft, a submitted year, the note or who checked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...territories.models import Region
from ..indicators.display import as_number
from ..indicators.members import member_counts, members_of
from ..indicators.models import YearlyIndicators
from ..models import Pole
from .fields import ApiLink, reference

PoleRef = reference(Pole, "pole")
RegionRef = reference(Region, "region")


def with_member_counts(rows) -> list:
    """``rows`` with ``member_counts_by_kind`` set on each (one query for them all)."""
    rows = list(rows)
    counts = member_counts((row.pole_id, row.year) for row in rows)
    for row in rows:
        row.member_counts_by_kind = counts[(row.pole_id, row.year)]
    return rows


@extend_schema_field(OpenApiTypes.NUMBER)
class Number(serializers.Field):
    """A decimal figure as a JSON number (not DRF's string), ``null`` when unknown."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):  # DRF writes None itself, without calling this
        return as_number(value)


class YearSerializer(serializers.ModelSerializer):
    """One checked year of a pole, seen from the pole (no pole reference)."""

    jobs_fte = Number(help_text=_("Emplois en équivalents temps plein au 31 décembre."))
    public_funding_share = Number(
        help_text=_("Part du budget venant de financements publics, en %.")
    )
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    members_by_kind = serializers.SerializerMethodField(
        help_text=_("Organisations membres au 31 décembre de l'année, par type (calculé à partir "
                    "des adhésions ; les types sans membre omis).")
    )

    class Meta:
        model = YearlyIndicators
        fields = [
            "year", "jobs_fte", "jobs_created", "integration_people", "budget_euros",
            "public_funding_share", "volunteers", "members_by_kind", "source", "source_label",
            "checked_at",
        ]

    def get_members_by_kind(self, row) -> dict[str, int] | None:
        """null when the registry holds no membership of the pole: unknown, not none."""
        if not hasattr(row, "member_counts_by_kind"):
            return members_of(row.pole_id, row.year)
        return row.member_counts_by_kind


class YearListSerializer(serializers.ListSerializer):
    """A pole's years, for the schema: a class, instantiated at each build (an instance made at
    import kept its fields as built in the language of the first schema: DRF gives a model
    field's label only where it differs from the field's name in that language)."""

    child = YearSerializer()


class IndicatorSerializer(YearSerializer):
    """One checked year of a pole, in the list of every pole's years."""

    id = serializers.IntegerField(read_only=True)
    url = ApiLink("indicator", lookup="pk")
    pole = PoleRef(read_only=True)
    region = RegionRef(source="pole.region", read_only=True, allow_null=True)

    class Meta(YearSerializer.Meta):
        fields = ["id", "url", "pole", "region", *YearSerializer.Meta.fields]
