"""Regions of France (current and before 2016) and communes: reference data, loaded by
``load_seed_data`` from ``fixtures/``."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .validators import validate_commune_code


class Region(models.Model):
    """One of the 18 regions of France since 1 January 2016."""

    code = models.CharField(_("code INSEE"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)
    geometry = models.JSONField(
        _("contour"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Géométrie GeoJSON simplifiée, chargée depuis les données de référence."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("région")
        verbose_name_plural = _("régions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("poles:region-detail", args=[self.slug])

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
    geometry = models.JSONField(
        _("contour"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Géométrie GeoJSON simplifiée, chargée depuis les données de référence."),
    )
    departments = models.CharField(
        _("départements"),
        max_length=60,
        help_text=_(
            "Codes des départements, séparés par des espaces (par exemple « 08 10 51 52 »)."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("ancienne région")
        verbose_name_plural = _("anciennes régions")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("poles:region-detail", args=[self.region.slug])

    @property
    def department_codes(self) -> list[str]:
        return self.departments.split()


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
