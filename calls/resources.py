"""Applications to calls as a spreadsheet, both ways (django-import-export): the admin's
import and exports and ``manage.py import_registry`` read their columns here.

An application is found by its call (identifier or title) and pole (identifier); the former
region by INSEE code or name. The model's ``clean()`` checks that the former region merged into
the pole's region. Poles are reached through the foreign key: this area sits below the registry.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from members.resources import pole_widget
from poles.territories.models import FormerRegion
from ptce_site.import_widgets import ChoiceWidget, KeyedWidget, TextWidget, cell_key, looked_up_keys
from ptce_site.resources import PreloadedInstanceLoader, RegistryResource

from .models import Application, Call


class ApplicationResource(RegistryResource):
    call = Field("call", _("appel"), widget=KeyedWidget(Call, ("slug", "title"), "slug"))
    pole = Field("pole", _("pôle"), widget=pole_widget())
    outcome = Field("outcome", _("résultat"), widget=ChoiceWidget(Application.Outcome))
    track = Field("track", _("modalité de réponse"), widget=ChoiceWidget(Application.Track))
    former_region = Field(
        "former_region",
        _("ancienne région"),
        widget=KeyedWidget(FormerRegion, ("code", "name", "slug"), "name"),
    )
    region_name_then = Field("region_name_then", _("région à l'époque"), widget=TextWidget())
    call_title = Field("call__title", _("titre de l'appel"), readonly=True)
    pole_name = Field("pole__name", _("nom du pôle"), readonly=True)

    required_columns = (_("appel"), _("pôle"))
    example = {
        "call": "appel-a-projets-ptce-2013",
        "pole": "pole-des-coteaux",
        "outcome": "Lauréat",
        "former_region": "Rhône-Alpes",
        "region_name_then": "Rhône-Alpes",
    }
    column_help = {
        "call": _("L'identifiant ou le titre de l'appel."),
        "pole": _("L'identifiant du pôle."),
        "former_region": _("Code INSEE ou nom de la région d'avant 2016."),
    }

    class Meta:
        model = Application
        fields = [
            "call",
            "pole",
            "outcome",
            "track",
            "former_region",
            "region_name_then",
            "call_title",
            "pole_name",
        ]
        import_id_fields = ["call", "pole"]
        instance_loader_class = PreloadedInstanceLoader

    def preload(self, dataset):
        slugs = looked_up_keys(self.fields["pole"], dataset.dict)
        applications = super().preload(dataset).filter(pole__slug__in=slugs)  # within the scope
        return applications.select_related("call", "pole", "former_region")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("call", "pole", "former_region")

    def row_key(self, row):
        return tuple(cell_key(self.fields[name], row) for name in ("call", "pole"))
