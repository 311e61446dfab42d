"""Organisations and memberships as spreadsheets, both ways (django-import-export): the
admin's import and exports and ``manage.py import_registry`` read their columns here.

An organisation is found by its SIREN, else its identifier (``slug``), else its name; a
membership by its pole (identifier), organisation (SIREN or identifier) and role. A commune
code gives an organisation its commune's name and region (``poles.territories.communes``,
the rule of the leaders' forms too). Poles are reached through the membership's foreign key:
this area sits below the registry and never imports it.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader

from poles.territories.communes import place_in_commune
from poles.territories.models import Region
from poles.territories.validators import is_commune_code
from ptce_site.import_widgets import (
    ChoiceWidget,
    CodeWidget,
    DateWidget,
    KeyedWidget,
    cell_key,
    identifier_reader,
    looked_up_keys,
    text_field,
    text_of,
)
from ptce_site.resources import PreloadedInstanceLoader, RegistryResource
from ptce_site.search import name_key, rows_named

from .models import Membership, Organisation

# The organisations' SIREN cells (``organisation_key``).
SIREN_CELL = CodeWidget(9)


class OrganisationResource(RegistryResource):
    name = text_field("name", _("nom"))
    slug = text_field("slug", _("identifiant"))
    kind = Field("kind", _("type"), widget=ChoiceWidget(Organisation.Kind))
    legal_form = Field(
        "legal_form", _("forme juridique"), widget=ChoiceWidget(Organisation.LegalForm)
    )
    siren = Field("siren", _("SIREN"), widget=SIREN_CELL)
    description = text_field("description", _("description"))
    website = text_field("website", _("site web"))
    commune_code = Field("commune_code", _("code commune"), widget=CodeWidget(5))
    commune_name = text_field("commune_name", _("commune"))
    region = Field(
        "region", _("région"), widget=KeyedWidget(Region, ("code", "name", "slug"), "name")
    )
    pole_count = Field(column_name=_("nombre de pôles"), readonly=True)  # exported only

    required_columns = (_("nom"), _("type"))
    example = {
        "name": "Coopérative des Coteaux",
        "kind": "Entreprise de l'ESS",
        "legal_form": "SCIC",
        "siren": "",
        "commune_code": "69123",
        "commune_name": "Lyon",
        "website": "https://exemple.org",
    }
    column_help = {
        "slug": _("Vide pour une nouvelle organisation : il est fait à partir du nom."),
        "siren": _("9 chiffres, facultatif ; il identifie l'organisation."),
        "commune_code": _("Code INSEE : il donne le nom de la commune et la région."),
    }

    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "kind",
            "legal_form",
            "siren",
            "description",
            "website",
            "commune_code",
            "commune_name",
            "region",
            "pole_count",
        ]
        import_id_fields = ["slug"]
        instance_loader_class = CachedInstanceLoader

    def filter_export(self, queryset, **kwargs):
        if "pole_count" not in queryset.query.annotations:
            queryset = queryset.with_pole_count()
        return queryset.select_related("region")

    def dehydrate_pole_count(self, organisation: Organisation) -> int:
        """The poles it currently belongs to, published or not."""
        return organisation.pole_count

    def columns(self) -> tuple[str, ...]:
        return tuple(str(self.fields[n].column_name) for n in ("slug", "siren", "name"))

    def row_key(self, row):
        slug, siren, name = self.columns()
        value = organisation_key(row.get(siren))
        return (
            ("siren", value)
            if value
            else ("slug", text_of(row.get(slug)).lower() or name_key(text_of(row.get(name))))
        )

    def check_file(self, dataset) -> None:
        super().check_file(dataset)
        self.fill_identifiers(dataset)

    def fill_identifiers(self, dataset) -> None:
        """Each row's organisation identifier: the one of the organisation with its SIREN, the
        one given, the one of the organisation of that name, or a new one from the name.
        Read in four queries for the whole file."""
        slug_column, siren_column, name_column = self.columns()
        rows = list(dataset.dict)
        sirens = {organisation_key(row.get(siren_column)) for row in rows} - {""}
        # Among the organisations the importing account sees: another one's SIREN or name is
        # a new organisation's (whose SIREN the model then finds taken, as the admin's form).
        known = self.scoped(Organisation.objects.all())
        by_siren = dict(known.filter(siren__in=sirens).values_list("siren", "slug"))
        names = {name_key(text_of(row.get(name_column))) for row in rows}
        by_name = defaultdict(list)
        for name, slug in rows_named(known, names, "slug"):
            by_name[name].append(slug)
        bases = {slugify(text_of(row.get(name_column)))[:190] or "organisation" for row in rows}
        taken = set(Organisation.objects.filter(slug__in=bases).values_list("slug", flat=True))
        identifier = identifier_reader(
            Organisation, {text_of(row.get(slug_column)) for row in rows}
        )
        slugs = []
        for row in rows:
            siren = organisation_key(row.get(siren_column))
            slug = by_siren.get(siren) or identifier(text_of(row.get(slug_column)))
            if not slug:
                name = text_of(row.get(name_column))
                same = by_name.get(name_key(name), [])
                slug = same[0] if len(same) == 1 and not siren else self.new_slug(name, taken)
            taken.add(slug)
            slugs.append(slug)
        if slug_column in dataset.headers:
            del dataset[slug_column]
        dataset.append_col(slugs, header=slug_column)

    @staticmethod
    def new_slug(name: str, taken: set[str]) -> str:
        base = slugify(name)[:190] or "organisation"
        slug, number = base, 1
        while slug in taken or (number > 1 and Organisation.objects.filter(slug=slug).exists()):
            number += 1
            slug = f"{base}-{number}"
        return slug

    def derive(self, instance: Organisation, row) -> dict:
        code = instance.commune_code
        if is_commune_code(code):
            try:
                place_in_commune(instance, code)
            except ValidationError as error:  # no commune has this code
                return {"commune_code": error.messages}
        return {}


def pole_widget() -> KeyedWidget:
    pole_model = Membership._meta.get_field("pole").related_model
    return KeyedWidget(
        pole_model, ("slug",), "slug", preload=False, describe=_("pôle"), scoped=True
    )


def organisation_key(value) -> str:
    """An organisation's cell as its key, as the SIREN column reads it: a SIREN as people type
    it ("732 829 320") or as a spreadsheet kept it (a number, its leading zero lost), or an
    identifier (which holds no white space). The one reading of a SIREN cell of the imports:
    the organisations' SIREN column, their key, and the memberships' organisation column."""
    return SIREN_CELL.clean(value)


class OrganisationWidget(KeyedWidget):
    def __init__(self):
        super().__init__(
            Organisation,
            ("siren", "slug"),
            "slug",
            preload=False,
            describe=_("organisation"),
            scoped=True,
        )

    def key_text(self, value) -> str:
        return organisation_key(value)


class MembershipResource(RegistryResource):
    pole = Field("pole", _("pôle"), widget=pole_widget())
    organisation = Field("organisation", _("organisation"), widget=OrganisationWidget())
    role = Field("role", _("rôle"), widget=ChoiceWidget(Membership.Role))
    joined_on = Field("joined_on", _("arrivée le"), widget=DateWidget())
    left_on = Field("left_on", _("départ le"), widget=DateWidget())
    pole_name = Field("pole__name", _("nom du pôle"), readonly=True)
    organisation_name = Field("organisation__name", _("nom de l'organisation"), readonly=True)

    required_columns = (_("pôle"), _("organisation"), _("rôle"))  # the whole key
    example = {
        "pole": "pole-des-coteaux",
        "organisation": "cooperative-des-coteaux",
        "role": "Membre fondateur",
        "joined_on": "2015-03-01",
    }
    column_help = {
        "pole": _("L'identifiant du pôle."),
        "organisation": _("Le SIREN ou l'identifiant de l'organisation."),
    }

    class Meta:
        model = Membership
        fields = [
            "pole",
            "organisation",
            "role",
            "joined_on",
            "left_on",
            "pole_name",
            "organisation_name",
        ]
        import_id_fields = ["pole", "organisation", "role"]
        instance_loader_class = PreloadedInstanceLoader

    def preload(self, dataset):
        slugs = looked_up_keys(self.fields["pole"], dataset.dict)
        memberships = super().preload(dataset).filter(pole__slug__in=slugs)  # within the scope
        return memberships.select_related("pole", "organisation")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("pole", "organisation")

    def row_key(self, row):
        return tuple(cell_key(self.fields[name], row) for name in ("pole", "organisation", "role"))
