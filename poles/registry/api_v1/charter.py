"""``/api/v1/charter/``: the charter of the collective approach and its signatories (published
poles and organisations), each with the date it signed; one object, not a list."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Organisation

from ..charter.models import Charter, CharterSignature
from ..charter.views import charter_with_signatories
from ..events.models import Event
from ..models import Pole
from .fields import PageLink, reference
from .serializers import SourceSerializer, written_at

PoleRef = reference(Pole, "pole")
OrganisationRef = reference(Organisation, "organisation")
EventRef = reference(Event, "event", title="title")


class PoleSignatureSerializer(serializers.ModelSerializer):
    pole = PoleRef(read_only=True)

    class Meta:
        model = CharterSignature
        fields = ["pole", "signed_on", "note"]


class OrganisationSignatureSerializer(serializers.ModelSerializer):
    organisation = OrganisationRef(read_only=True)

    class Meta:
        model = CharterSignature
        fields = ["organisation", "signed_on", "note"]


class CharterSerializer(serializers.ModelSerializer):
    html_url = PageLink()
    sources = SourceSerializer(source="source_list", many=True, read_only=True)
    event = EventRef(read_only=True, allow_null=True, help_text=_("L'événement de sa signature."))
    poles = PoleSignatureSerializer(
        source="pole_signatures", many=True, read_only=True,
        help_text=_("Les pôles publiés qui l'ont signée, dans l'ordre alphabétique français "
                    "des noms."),
    )
    organisations = OrganisationSignatureSerializer(
        source="organisation_signatures", many=True, read_only=True,
        help_text=_("Les organisations (réseaux) qui l'ont signée, dans l'ordre alphabétique "
                    "français des noms."),
    )
    updated_at = written_at()

    class Meta:
        model = Charter
        fields = ["slug", "title", "html_url", "signed_on", "place", "description", "event",
                  "sources", "poles", "organisations", "updated_at"]


class CharterView(APIView):
    """The charter and its signatories (empty lists while none is recorded: the source
    documents name none)."""

    @extend_schema(
        summary=_("La charte de la démarche collective, avec ses signataires"),
        description=_("Les listes de signataires sont vides tant qu'aucun n'est enregistré : "
                      "les documents sources n'en nomment aucun."),
        responses=CharterSerializer,
    )
    def get(self, request):
        charter = charter_with_signatories()
        if charter is None:
            raise Http404
        return Response(CharterSerializer(charter, context={"request": request}).data)
