"""What the API says of each object: stable English field names, codes for choices (with
their label in the request's language beside them), dates and times in ISO 8601, absolute
links on ``SITE_URL``. Only public data: no leaders, no version, no history."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import Application, Call, Milestone
from members.models import Membership, Organisation

from ...territories.models import FormerRegion, Region
from ..events.models import Event
from ..models import Objective, Pole, Sector, SourceDocument
from .fields import ApiLink, PageLink, PoleListLink, reference
from .indicator_serializers import YearListSerializer, YearSerializer, with_member_counts

RegionRef = reference(Region, "region")
FormerRegionRef = reference(FormerRegion, "former-region")
SectorRef = reference(Sector, "sector", page=False)
PoleRef = reference(Pole, "pole")
OrganisationRef = reference(Organisation, "organisation")
CallRef = reference(Call, "call", title="title")


def label(source: str) -> serializers.CharField:
    return serializers.CharField(
        source=source, read_only=True,
        help_text=_("Le libellé du code, dans la langue de la requête."),
    )


def written_at() -> serializers.DateTimeField:
    """``updated_at``, said for what it is: not the date of the facts."""
    return serializers.DateTimeField(read_only=True, help_text=_(
        "Quand la fiche a été écrite pour la dernière fois, par qui ou quoi que ce soit (le "
        "chargement initial, un import, un recomptage compris) : une date technique, pas celle "
        "des faits."
    ))


class ObjectiveSerializer(serializers.ModelSerializer):
    label = label("get_code_display")

    class Meta:
        model = Objective
        fields = ["code", "label"]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = SourceDocument
        fields = ["title", "publisher", "published_on", "url"]


class PoleSerializer(serializers.ModelSerializer):
    url = ApiLink("pole")
    html_url = PageLink()
    status_label = label("get_status_display")
    witness = serializers.BooleanField(
        source="is_witness", read_only=True, allow_null=True, help_text=_(
            "Si le pôle est un pôle témoin de la démarche nationale : true ou false quand un "
            "document source ou une personne le dit ; null quand on ne le sait pas (aucun "
            "document ne le dit des pôles autres que les lauréats de l'appel de 2013)."
        ),
    )
    region = RegionRef(read_only=True, allow_null=True)
    sectors = SectorRef(many=True, read_only=True)
    laureate_of = serializers.SerializerMethodField(
        help_text=_("Les slugs des appels dont le pôle est lauréat, du plus ancien au plus récent.")
    )
    charter_signed_on = serializers.DateField(
        read_only=True, allow_null=True,
        help_text=_(
            "Le jour où le pôle a signé la charte (/api/v1/charter/) ; null tant qu'aucune "
            "signature n'est enregistrée (les documents sources ne nomment aucun signataire), "
            "non qu'il ne l'a pas signée."
        ),
    )
    content_changed_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_(
        "Quand une personne (ses responsables, l'équipe du registre) a changé pour la dernière "
        "fois le contenu du pôle : la date de mise à jour que donne sa page. null tant que ses "
        "données ne sont que celles de ses documents sources."
    ))
    updated_at = written_at()

    class Meta:
        model = Pole
        fields = [
            "slug", "name", "url", "html_url", "summary", "status", "status_label", "witness",
            "region", "territory", "commune_code", "commune_name", "latitude", "longitude",
            "sectors", "founded_year", "charter_signed_on", "website", "laureate_of",
            "content_changed_at", "updated_at",
        ]
        extra_kwargs = {coordinate: {"help_text": _(
            "Le point du pôle (WGS 84) : placé par une personne, ou, quand il est égal au point "
            "représentatif de sa commune, seulement celui de sa commune (pas d'adresse connue)."
        )} for coordinate in ("latitude", "longitude")}

    def get_laureate_of(self, pole: Pole) -> list[str]:
        won = getattr(pole, "laureate_applications", None)
        if won is None:  # the detail's queryset loads every application (``for_detail``)
            won = [a for a in pole.all_applications if a.is_laureate]
        return [application.call.slug for application in won]


class _MembershipFields(serializers.ModelSerializer):
    """What a membership says seen from either side; each side adds the other end."""

    id = serializers.IntegerField(read_only=True)
    url = ApiLink("membership", lookup="pk")
    role_label = label("get_role_display")

    class Meta:
        model = Membership
        fields = ["id", "url", "role", "role_label", "joined_on", "left_on"]


class PoleMembershipSerializer(_MembershipFields):
    organisation = OrganisationRef(read_only=True)

    class Meta(_MembershipFields.Meta):
        fields = ["id", "url", "organisation", "role", "role_label", "joined_on", "left_on"]


class PoleApplicationSerializer(serializers.ModelSerializer):
    call = CallRef(read_only=True)
    outcome_label = label("get_outcome_display")
    former_region = FormerRegionRef(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = ["call", "outcome", "outcome_label", "track", "former_region",
                  "region_name_then"]


class PoleDetailSerializer(PoleSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)
    memberships = PoleMembershipSerializer(source="all_memberships", many=True, read_only=True)
    applications = PoleApplicationSerializer(
        source="all_applications", many=True, read_only=True
    )
    sources = SourceSerializer(many=True, read_only=True)
    indicators = serializers.SerializerMethodField(
        help_text=_("Les indicateurs annuels vérifiés du pôle, de la plus ancienne année à la "
                    "plus récente.")
    )

    class Meta(PoleSerializer.Meta):
        fields = [
            *PoleSerializer.Meta.fields[:5], "description", *PoleSerializer.Meta.fields[5:],
            "objectives", "contact_email", "contact_phone", "memberships", "applications",
            "sources", "indicators",
        ]

    @extend_schema_field(YearListSerializer)
    def get_indicators(self, pole: Pole) -> list[dict]:
        rows = with_member_counts(pole.yearly_indicators.checked().order_by("year"))
        return YearSerializer(rows, many=True, context=self.context).data


class OrganisationSerializer(serializers.ModelSerializer):
    url = ApiLink("organisation")
    html_url = PageLink()
    kind_label = label("get_kind_display")
    region = RegionRef(read_only=True, allow_null=True)
    updated_at = written_at()

    class Meta:
        model = Organisation
        fields = ["slug", "name", "url", "html_url", "kind", "kind_label", "legal_form",
                  "siren", "website", "commune_code", "commune_name", "region", "updated_at"]


class OrganisationMembershipSerializer(_MembershipFields):
    pole = PoleRef(read_only=True)

    class Meta(_MembershipFields.Meta):
        fields = ["id", "url", "pole", "role", "role_label", "joined_on", "left_on"]


class OrganisationDetailSerializer(OrganisationSerializer):
    memberships = OrganisationMembershipSerializer(
        source="public_memberships", many=True, read_only=True,
        help_text=_("Ses adhésions aux pôles publiés."),
    )
    organised_calls = CallRef(source="calls_organised", many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "description", "memberships",
                  "organised_calls"]


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    url = ApiLink("membership", lookup="pk")
    pole = PoleRef(read_only=True)
    organisation = OrganisationRef(read_only=True)
    role_label = label("get_role_display")
    is_current = serializers.BooleanField(
        read_only=True, help_text=_("Pas de date de départ, ou une date encore à venir.")
    )

    class Meta:
        model = Membership
        fields = ["id", "url", "pole", "organisation", "role", "role_label", "joined_on",
                  "left_on", "is_current"]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["date", "end_date", "label", "date_to_be_confirmed"]


class CallApplicationSerializer(serializers.ModelSerializer):
    pole = PoleRef(read_only=True)
    outcome_label = label("get_outcome_display")
    former_region = FormerRegionRef(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = ["pole", "outcome", "outcome_label", "track", "former_region",
                  "region_name_then"]


class CallSerializer(serializers.ModelSerializer):
    url = ApiLink("call")
    html_url = PageLink()
    kind_label = label("get_kind_display")
    organisers = OrganisationRef(source="organiser_list", many=True, read_only=True)
    milestones = MilestoneSerializer(source="timeline", many=True, read_only=True)
    updated_at = written_at()

    class Meta:
        model = Call
        fields = [
            "slug", "title", "url", "html_url", "year", "kind", "kind_label", "summary",
            "launched_on", "closes_on", "results_on", "applications_received", "received_unit",
            "received_is_lower_bound", "applications_eligible", "applications_selected",
            "organisers", "milestones", "updated_at",
        ]


class CallDetailSerializer(CallSerializer):
    applications = CallApplicationSerializer(
        source="public_applications", many=True, read_only=True,
        help_text=_("Les candidatures des pôles publiés."),
    )
    sources = SourceSerializer(source="source_list", many=True, read_only=True)

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields[:8], "description",
                  *CallSerializer.Meta.fields[8:], "applications", "sources"]


class FormerRegionSerializer(serializers.ModelSerializer):
    url = ApiLink("former-region")
    html_url = PageLink()
    region = RegionRef(read_only=True)
    departments = serializers.ListField(
        source="department_codes", child=serializers.CharField(), read_only=True
    )

    class Meta:
        model = FormerRegion
        fields = ["code", "slug", "name", "url", "html_url", "region", "departments"]


class RegionSerializer(serializers.ModelSerializer):
    url = ApiLink("region")
    html_url = PageLink()
    former_regions = FormerRegionRef(many=True, read_only=True)
    pole_count = serializers.IntegerField(read_only=True, help_text=_("Pôles publiés."))
    laureate_count = serializers.IntegerField(
        read_only=True, help_text=_("Pôles publiés lauréats d'un appel.")
    )

    class Meta:
        model = Region
        fields = ["code", "slug", "name", "url", "html_url", "former_regions", "pole_count",
                  "laureate_count"]


class SectorSerializer(serializers.ModelSerializer):
    url = ApiLink("sector")
    pole_count = serializers.IntegerField(read_only=True, help_text=_("Pôles publiés."))
    poles = PoleListLink(help_text=_("La liste de ses pôles publiés dans cette API."))

    class Meta:
        model = Sector
        fields = ["slug", "name", "url", "pole_count", "poles"]


class EventSerializer(serializers.ModelSerializer):
    url = ApiLink("event")
    html_url = PageLink()
    kind_label = label("get_kind_display")
    date_label = serializers.CharField(
        read_only=True, help_text=_("La date aussi précise qu'on la connaît, dans la langue de la "
                    "requête.")
    )
    organisers = OrganisationRef(source="organiser_list", many=True, read_only=True)
    poles = PoleRef(
        source="pole_list", many=True, read_only=True,
        help_text=_("Les pôles publiés qui y ont pris part."),
    )
    sources = SourceSerializer(source="source_list", many=True, read_only=True)
    updated_at = written_at()

    class Meta:
        model = Event
        fields = [
            "slug", "title", "url", "html_url", "kind", "kind_label", "start_date",
            "date_precision", "date_label", "end_date", "place", "description", "participants",
            "participants_is_lower_bound", "poles_represented", "regions_concerned",
            "organisers", "poles", "sources", "updated_at",
        ]
