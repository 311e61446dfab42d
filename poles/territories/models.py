"""Regions of France (current and before 2016), their outlines and communes: reference data,
loaded by ``load_seed_data`` from ``fixtures/``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ptce_site.collation import french
from ptce_site.links import slug_path

from .validators import validate_commune_code


class Region(models.Model):
    """One of the 18 regions of France since 1 January 2016."""

    code = models.CharField(_("code INSEE"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)

    class Meta:
        ordering = [french("name")]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("poles:region-detail", self.slug)

    @property
    def is_overseas(self) -> bool:
        return self.code < "10"


class FormerRegion(models.Model):
    """One of the 27 regions before 1 January 2016, and the current region it merged into."""

    code = models.CharField(_("code INSEE"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="former_regions",
        verbose_name=_("région actuelle"),
    )
    departments = models.CharField(
        _("départements"),
        max_length=60,
        help_text=_(
            "Codes des départements, séparés par des espaces (par exemple « 08 10 51 52 »)."
        ),
    )

    class Meta:
        ordering = [french("name")]
        verbose_name = _("ancienne région")
        verbose_name_plural = _("anciennes régions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("poles:region-detail", self.region.slug)

    @property
    def department_codes(self) -> list[str]:
        # Upper case, as commune codes are (« 2a » is Corsica's 2A): SQLite's LIKE would
        # ignore the case and PostgreSQL's not.
        return self.departments.upper().split()


class Outline(models.Model):
    """A region's outline for the maps, in a table of its own: the region rows, read by every
    page, never carry (nor decode) these JSON documents of tens of kilobytes; only the map's
    GeoJSON joins them."""

    geometry = models.JSONField(
        _("contour"),
        help_text=_(
            "Géométrie GeoJSON simplifiée, aux coordonnées arrondies pour les cartes, chargée "
            "depuis les données de référence."
        ),
    )
    label_longitude = models.FloatField(_("longitude de l'étiquette"), null=True, blank=True)
    label_latitude = models.FloatField(_("latitude de l'étiquette"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def label_point(self) -> list[float] | None:
        """Where the maps write the region's figure, ``[longitude, latitude]`` as in GeoJSON."""
        if self.label_longitude is None or self.label_latitude is None:
            return None
        return [self.label_longitude, self.label_latitude]


class RegionOutline(Outline):
    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="outline",
        verbose_name=_("région"),
    )

    class Meta:
        verbose_name = _("contour de région")
        verbose_name_plural = _("contours de régions")

    def __str__(self) -> str:
        return str(self.region)


class FormerRegionOutline(Outline):
    former_region = models.OneToOneField(
        FormerRegion,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="outline",
        verbose_name=_("ancienne région"),
    )

    class Meta:
        verbose_name = _("contour d'ancienne région")
        verbose_name_plural = _("contours d'anciennes régions")

    def __str__(self) -> str:
        return str(self.former_region)


class Commune(models.Model):
    """A current French commune and one representative point inside it (reference data)."""

    code = models.CharField(
        _("code INSEE"), max_length=5, unique=True, validators=[validate_commune_code]
    )
    name = models.CharField(_("nom"), max_length=150)
    postal_codes = models.CharField(_("codes postaux"), max_length=200, blank=True)
    department = models.CharField(_("département"), max_length=3)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", verbose_name=_("région")
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        indexes = [models.Index(fields=["name"], name="commune_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
