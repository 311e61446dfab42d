"""The poles as a spreadsheet, both ways (django-import-export): the admin's import and exports
(CSV, XLSX, ODS) and ``manage.py import_registry`` read their columns here, and only here.

A pole is found by its identifier (``slug``), else by its name and region; regions by INSEE
code or name, sectors by name or identifier, objectives by code or label. A commune code gives
the pole its commune's name, region and point, by the model's own rule
(``Pole.take_commune_place``). The public directory's CSV keeps its own, smaller set of columns
(``exports.py``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader

from calls.models import Application
from ptce_site.collation import french
from ptce_site.exports import yes_no
from ptce_site.import_widgets import (
    BooleanWidget,
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    KeyedManyWidget,
    KeyedWidget,
    NumberWidget,
    PhoneWidget,
    fold,
    identifier_reader,
    text_field,
    text_of,
)
from ptce_site.links import absolute_url
from ptce_site.resources import RegistryResource
from ptce_site.search import name_key, rows_named

from ..territories.models import Region
from ..territories.validators import is_commune_code
from .charter.models import Charter, date_problem
from .charter.services import set_pole_signature
from .exports import updated_on
from .models import Objective, Pole, Sector


class KnownOrNotWidget(BooleanWidget):
    """« oui », « non », or an empty cell for what no source nor person says (None): here
    rather than beside ``BooleanWidget``, whose empty cell is « non », as long as only the
    pole's witness flag has three states. The admin's and the page's word for None (« Non
    renseigné ») reads as None too: a curator may copy it. Any other cell is refused with a
    message that offers the empty cell, lest a doubt (« n/a », « ? ») be rewritten « non »."""

    def clean(self, value, row=None, **kwargs):
        if fold(text_of(value)) in {"", *map(fold, self._not_known())}:
            return None
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(
                _(
                    "« %(value)s » : écrivez « oui » ou « non », ou laissez la case vide si "
                    "aucune source ne le dit (non renseigné)."
                )
                % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return yes_no(value)

    def allowed(self) -> list[str]:
        """For the template's sheet of allowed values and the help page."""
        return [yes_no(True), yes_no(False), str(_("vide ou « non renseigné »"))]

    @staticmethod
    def _not_known() -> tuple[str, str]:
        # The model's label of None, in the admin's language and in French (the source).
        label = dict(Pole._meta.get_field("is_witness").flatchoices)[None]
        shown = str(label)
        with translation.override("fr"):
            return shown, str(label)


def region_widget() -> KeyedWidget:
    return KeyedWidget(Region, ("code", "name", "slug"), "name")


class PoleResource(RegistryResource):
    name = text_field("name", _("nom"))
    slug = text_field("slug", _("identifiant"))
    status = Field("status", _("statut"), widget=ChoiceWidget(Pole.Status))
    is_witness = Field("is_witness", _("pôle témoin"), widget=KnownOrNotWidget())
    summary = text_field("summary", _("résumé"))
    description = text_field("description", _("description"))
    region = Field("region", _("région"), widget=region_widget())
    territory = text_field("territory", _("territoire"))
    commune_code = Field("commune_code", _("code commune"), widget=CodeWidget(5))
    commune_name = text_field("commune_name", _("commune"))
    latitude = Field("latitude", _("latitude"), widget=NumberWidget())
    longitude = Field("longitude", _("longitude"), widget=NumberWidget())
    sectors = Field(
        "sectors", _("secteurs"), widget=KeyedManyWidget(Sector, ("name", "slug"), "name")
    )
    objectives = Field(
        "objectives",
        _("objectifs"),
        widget=KeyedManyWidget(Objective, ("code", str), "code", describe=_("objectif")),
    )
    founded_year = Field("founded_year", _("année de création"), widget=NumberWidget(True))
    # Read from and written to the pole's signature of the charter (``charter.models``), its
    # one home: the queryset annotates the date (``get_queryset``), an import sets it after
    # the row is saved (``after_save_instance``); an empty cell means "did not sign".
    charter_signed_on = Field("charter_signed_on", _("signature de la charte"), widget=DateWidget())
    website = text_field("website", _("site web"))
    contact_email = text_field("contact_email", _("e-mail"))
    contact_phone = Field("contact_phone", _("téléphone"), widget=PhoneWidget())
    is_published = Field("is_published", _("publié"), widget=BooleanWidget())
    # Exported only: read back, they are ignored.
    address = Field(column_name=_("adresse"), readonly=True)
    applications = Field(column_name=_("candidatures (ancienne région)"), readonly=True)
    updated_at = Field(column_name=_("mis à jour le"), readonly=True)

    required_columns = (_("nom"),)
    example = {
        "name": "Pôle des Coteaux",
        "slug": "",
        "status": "En projet",
        "is_witness": "",
        "summary": "Une coopération de l'ESS et des PME du territoire.",
        "region": "84",
        "territory": "Pays des Coteaux",
        "commune_code": "69123",
        "commune_name": "Lyon",
        "sectors": "Agriculture",
        "objectives": "mutualisation",
        "founded_year": 2015,
        "website": "https://exemple.org",
        "is_published": "non",
    }
    column_help = {
        "slug": _("Vide pour un nouveau pôle : il est fait à partir du nom."),
        "is_witness": _("Vide quand aucune source ne le dit (non renseigné)."),
        "region": _("Code INSEE ou nom ; le code commune la donne aussi."),
        "commune_code": _("Code INSEE : il donne le nom, la région et le point."),
        "objectives": _("Codes ou libellés, séparés par des virgules."),
        "sectors": _("Noms, séparés par des virgules."),
    }

    class Meta:
        model = Pole
        fields = [
            "name",
            "slug",
            "status",
            "is_witness",
            "summary",
            "description",
            "region",
            "territory",
            "commune_code",
            "commune_name",
            "latitude",
            "longitude",
            "sectors",
            "objectives",
            "founded_year",
            "charter_signed_on",
            "website",
            "contact_email",
            "contact_phone",
            "is_published",
            "address",
            "applications",
            "updated_at",
        ]
        import_id_fields = ["slug"]
        instance_loader_class = CachedInstanceLoader

    # -- export -----------------------------------------------------------------------------------

    def get_queryset(self):
        return super().get_queryset().with_charter_date()

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.with_charter_date()
        applications = Application.objects.select_related("call", "former_region").order_by(
            "call__year", french("call__title")
        )
        return queryset.select_related("region").prefetch_related(
            "sectors", "objectives", Prefetch("applications", queryset=applications)
        )

    def dehydrate_address(self, pole: Pole) -> str:
        return absolute_url(pole.get_absolute_url())

    def dehydrate_applications(self, pole: Pole) -> str:
        """Each call the pole answered, its outcome and the region as named then (the 2013
        call was by former region)."""
        items = []
        for application in pole.applications.all():
            item = f"{application.call.title} : {application.get_outcome_display()}"
            region = application.former_region or application.region_name_then
            items.append(f"{item} ({region})" if region else item)
        return " ; ".join(items)

    def dehydrate_updated_at(self, pole: Pole) -> str:
        return updated_on(pole)

    # -- import -----------------------------------------------------------------------------------

    def columns(self) -> tuple[str, str, str]:
        return tuple(str(self.fields[name].column_name) for name in ("slug", "name", "region"))

    def pole_id_of(self, instance: Pole) -> int:
        return instance.pk

    def row_key(self, row):
        slug, name, region = self.columns()
        if text_of(row.get(slug)):
            return text_of(row.get(slug)).lower()
        return (name_key(text_of(row.get(name))), fold(text_of(row.get(region))))

    def check_file(self, dataset) -> None:
        super().check_file(dataset)
        self.fill_identifiers(dataset)

    def fill_identifiers(self, dataset) -> None:
        """Rows without an identifier get the existing pole's of the same name and region, or
        a new one made from the name: the rows then find their pole by identifier alone
        (``identifier_reader``: whatever its case). Read in three queries for the whole file."""
        slug_column, name_column, region_column = self.columns()
        rows = list(dataset.dict)
        names = {name_key(text_of(row.get(name_column))) for row in rows}
        existing = defaultdict(list)
        poles = self.scoped(Pole.objects.all())  # another region's pole: as if it did not exist
        for name, region_id, slug in rows_named(poles, names, "region_id", "slug"):
            existing[name].append((region_id, slug))
        bases = {slugify(text_of(row.get(name_column)))[:190] or "pole" for row in rows}
        taken = set(Pole.objects.filter(slug__in=bases).values_list("slug", flat=True))
        identifier = identifier_reader(Pole, {text_of(row.get(slug_column)) for row in rows})
        slugs = []
        for row in rows:
            slug = identifier(text_of(row.get(slug_column)))
            if not slug:
                slug = self.identifier_for(row, existing, taken)
            taken.add(slug)
            slugs.append(slug)
        if slug_column in dataset.headers:
            del dataset[slug_column]
        dataset.append_col(slugs, header=slug_column)

    def identifier_for(self, row, existing: dict, taken: set[str]) -> str:
        _slug, name_column, region_column = self.columns()
        name = text_of(row.get(name_column))
        try:
            region = self.fields["region"].widget.clean(row.get(region_column))
        except ValueError:
            region = None  # reported with the row
        same = [
            slug
            for region_id, slug in existing.get(name_key(name), [])
            if region is None or region_id == region.pk
        ]
        if len(same) == 1:
            return same[0]
        base = slugify(name)[:190] or "pole"
        slug, number = base, 1
        while slug in taken or (number > 1 and Pole.objects.filter(slug=slug).exists()):
            number += 1
            slug = f"{base}-{number}"
        return slug

    def derive(self, instance: Pole, row) -> dict:
        """The commune's name, region and point, by the model's rule (the form's too); the
        charter's date checked by the signatures' rule."""
        errors = {}
        if is_commune_code(instance.commune_code):
            errors.update(instance.take_commune_place())
        if self.charter_column() in row and (day := instance.__dict__.get("charter_signed_on")):
            charter = Charter.objects.the_charter()
            if charter is None:
                errors["charter_signed_on"] = [
                    _("Aucune charte n'est enregistrée : ajoutez-la d'abord dans l'admin.")
                ]
            elif problem := date_problem(charter, day):
                errors["charter_signed_on"] = [problem]
        return errors

    def charter_column(self) -> str:
        return str(self.fields["charter_signed_on"].column_name)

    def after_save_instance(self, instance: Pole, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if self.charter_column() in row:
            reason = getattr(instance, "_change_reason", "")
            set_pole_signature(
                instance, instance.__dict__.get("charter_signed_on"), user=self.user, reason=reason
            )
