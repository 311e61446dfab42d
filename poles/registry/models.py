"""The registry itself: sectors, objectives, source documents and the poles.

A pole's place comes from the reference geography (``poles.territories``): its commune code
gives it the commune's name, region and point. ``Pole.objects`` is ``PoleQuerySet``
(``querysets.py``).
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce_site.collation import french, in_language
from ptce_site.history_records import HistoricalRecords
from ptce_site.links import slug_path
from ptce_site.model_parts import CountsSaves, checked_when_known
from ptce_site.validators import validate_phone, validate_single_line

from ..territories.communes import place_in_commune
from ..territories.models import Commune, Region
from ..territories.validators import is_commune_code, validate_commune_code
from .querysets import PoleQuerySet

# The "Charte de la démarche collective PTCE" was signed on 19 September 2014: no signature
# (``charter.models.CharterSignature``) is older.
CHARTER_DATE = datetime.date(2014, 9, 19)
# PTCE were proposed in 2009; older founding years are allowed for the groupings that later
# took the name, but not before this one.
EARLIEST_FOUNDING_YEAR = 1900


class Sector(models.Model):
    """A sector of activity (filière) a pole works in."""

    name = models.CharField(_("nom"), max_length=100, unique=True)
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)

    class Meta:
        ordering = [french(in_language("name"))]  # on an English page, the English names'
        verbose_name = _("secteur d'activité")
        verbose_name_plural = _("secteurs d'activité")

    def __str__(self) -> str:
        return self.name


class Objective(models.Model):
    """One of the eight objectives a PTCE may pursue (2011 call for candidates).

    The rows are fixed (created by a migration); the label comes from ``Code`` so that it is
    translated like every other string.
    """

    class Code(models.TextChoices):
        POOLING = (
            "mutualisation",
            _("Mutualisation significative de ressources, de compétences ou de financements"),
        )
        CRITICAL_SIZE = (
            "taille-critique",
            _(
                "Recherche d'une taille critique pour répondre à la demande de biens "
                "et services solidaires et durables"
            ),
        )
        INTEGRATED_GROUPS = (
            "groupes-integres",
            _("Création et développement de groupes intégrés d'entreprises de l'ESS"),
        )
        RELOCATION = (
            "reprise-relocalisation",
            _("Reprise d'entreprises ou relocalisation d'activités dans un territoire"),
        )
        DISTRIBUTION = (
            "distribution-equitable",
            _("Stratégies mutualisées et équitables de distribution et de commercialisation"),
        )
        SOCIAL_INNOVATION = (
            "innovation-sociale",
            _("Investissement significatif dans l'innovation sociale"),
        )
        SECTOR_STRUCTURING = (
            "structuration-filiere",
            _("Structuration territoriale d'une filière ou d'un secteur"),
        )
        VISIBILITY = (
            "visibilite-ess",
            _("Meilleure visibilité institutionnelle de l'ESS et partenariats locaux"),
        )

    code = models.CharField(_("code"), max_length=30, choices=Code.choices, unique=True)
    position = models.PositiveSmallIntegerField(_("ordre"), unique=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")

    def __str__(self) -> str:
        return str(self.get_code_display())


class SourceDocument(models.Model):
    """A public document the registry's data comes from (press release, call, list of laureates)."""

    key = models.SlugField(_("clé"), max_length=60, unique=True)
    title = models.CharField(_("titre"), max_length=250)
    publisher = models.CharField(_("éditeur"), max_length=200, blank=True)
    published_on = models.DateField(_("date de publication"), null=True, blank=True)
    filename = models.CharField(
        _("fichier source"),
        max_length=100,
        blank=True,
        help_text=_("Nom du document dans le dossier des sources du projet."),
    )
    url = models.URLField(_("adresse web"), blank=True)

    class Meta:
        # The one order of sources, wherever they are listed: oldest first, undated last on
        # both databases (SQLite puts nulls first unless told, PostgreSQL last), then by
        # title in French order.
        ordering = [F("published_on").asc(nulls_last=True), french("title"), "pk"]
        verbose_name = _("document source")
        verbose_name_plural = _("documents sources")

    def __str__(self) -> str:
        return self.title


def logo_upload_to(instance: Pole, filename: str) -> str:
    """A random name: nothing of the uploader's file name reaches the server's disk."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"logos/{uuid.uuid4().hex}{suffix if suffix in {'.png', '.jpg', '.webp'} else ''}"


class Pole(CountsSaves, models.Model):
    class Status(models.TextChoices):
        IN_PROJECT = "in_project", _("En projet")
        OPERATIONAL = "operational", _("Opérationnel")
        DORMANT = "dormant", _("En sommeil")
        DISSOLVED = "dissolved", _("Dissous")
        # What no source gives and nobody has entered yet: the registry infers no status.
        NOT_KNOWN = "not_known", _("Non renseigné")

    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant d'URL"), max_length=200, unique=True)
    summary = models.CharField(
        _("résumé"), max_length=400, blank=True, help_text=_("Une ou deux phrases.")
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NOT_KNOWN
    )
    # Yes, no, or not known (None): the announcement of the 2013 call's 23 laureates says
    # which 8 are witness poles, so yes or no for those 23; no document says it of any other
    # pole, which stays "not known" until a person enters it (DOMAIN: the truth rule).
    is_witness = models.BooleanField(
        _("pôle témoin"),
        null=True,
        blank=True,
        default=None,
        choices=[(None, _("Non renseigné")), (True, _("Oui")), (False, _("Non"))],
        help_text=_(
            "Un des pôles opérationnels « témoins » de la démarche nationale (2011-2012). "
            "« Non renseigné » tant qu'aucune source ni personne ne le dit."
        ),
    )
    founded_year = models.PositiveSmallIntegerField(
        _("année de création"),
        null=True,
        blank=True,
        validators=[MinValueValidator(EARLIEST_FOUNDING_YEAR)],
    )
    territory = models.CharField(
        _("territoire"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Le territoire couvert, en clair (par exemple « Pays d'Ancenis »)."),
    )
    commune_code = models.CharField(
        _("code commune INSEE"), max_length=5, blank=True, validators=[validate_commune_code]
    )
    commune_name = models.CharField(
        _("commune"), max_length=150, blank=True, validators=[validate_single_line]
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="poles",
        null=True,
        blank=True,
        verbose_name=_("région"),
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    sectors = models.ManyToManyField(
        Sector, related_name="poles", blank=True, verbose_name=_("secteurs d'activité")
    )
    objectives = models.ManyToManyField(
        Objective, related_name="poles", blank=True, verbose_name=_("objectifs")
    )
    website = models.URLField(_("site web"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to=logo_upload_to,
        blank=True,
        help_text=_("PNG, JPEG ou WebP, 2 Mo au plus ; il est redimensionné pour le web."),
    )
    contact_email = models.EmailField(_("e-mail de contact public"), blank=True)
    contact_phone = models.CharField(
        _("téléphone de contact public"), max_length=25, blank=True, validators=[validate_phone]
    )
    is_published = models.BooleanField(
        _("publié"), default=False, help_text=_("Visible du public sur le site.")
    )
    sources = models.ManyToManyField(
        SourceDocument, related_name="poles", blank=True, verbose_name=_("sources")
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="led_poles",
        blank=True,
        # Staff accounts curate every pole already; an invitation never touches them.
        limit_choices_to={"is_staff": False, "is_superuser": False},
        verbose_name=_("porteurs"),
        help_text=_(
            "Les comptes qui peuvent mettre à jour la fiche du pôle dans leur espace (jamais "
            "un compte de l'équipe du registre)."
        ),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)
    # Last change of content by a person, not a seed load nor publishing (``provenance.py``).
    content_changed_at = models.DateTimeField(_("contenu modifié le"), null=True, editable=False)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Augmente à chaque enregistrement ; protège des modifications concurrentes."),
    )

    objects = PoleQuerySet.as_manager()
    # Who changed what and when, from the leaders' space, the admin or code (with a revert in
    # the admin). The many-to-many fields are recorded with each version.
    history = HistoricalRecords(
        m2m_fields=[sectors, objectives, leaders],
        excluded_fields=["created_at", "content_changed_at"],
    )

    class Meta:
        ordering = [french("name")]
        verbose_name = _("pôle")
        verbose_name_plural = _("pôles")
        constraints = [
            checked_when_known(
                Q(latitude__gte=-90, latitude__lte=90),
                "latitude",
                name="pole_latitude_range",
                message=_("La latitude doit être comprise entre -90 et 90."),
            ),
            checked_when_known(
                Q(longitude__gte=-180, longitude__lte=180),
                "longitude",
                name="pole_longitude_range",
                message=_("La longitude doit être comprise entre -180 et 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="pole_point_complete",
                violation_error_message=_(
                    "Indiquez la latitude et la longitude ensemble, ou aucune des deux."
                ),
            ),
            models.CheckConstraint(
                condition=Q(founded_year__isnull=True)
                | Q(founded_year__gte=EARLIEST_FOUNDING_YEAR),
                name="pole_founded_year_range",
                violation_error_message=_("L'année de création doit être postérieure à 1900."),
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "region"], name="pole_published_region"),
            models.Index(fields=["-updated_at"], name="pole_updated_at"),
            models.Index(french("name"), name="pole_name_fr"),  # the directory's "Nom" sort
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("poles:pole-detail", self.slug)

    def is_led_by(self, user) -> bool:
        """Whether ``user`` is one of its leaders (a curator who does not lead it is not)."""
        return user.is_authenticated and self.leaders.filter(pk=user.pk).exists()

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        pole = super().from_db(db, field_names, values, **kwargs)
        # Remembered to tell whether an edit changes the commune (and so the point), and whether
        # it gives a point of its own.
        pole._loaded_commune_code = pole.__dict__.get("commune_code")
        if "latitude" in pole.__dict__ and "longitude" in pole.__dict__:
            pole._loaded_point = (pole.latitude, pole.longitude)
        return pole

    def take_commune_place(self) -> dict:
        """Take the commune's name and region (``poles.territories.communes``) and, when the
        commune changes, its point, unless the same edit gives a point of its own (typed, placed
        on the map, or a file's column: it is kept); return the errors found."""
        try:
            # The commune decides the region (a pole that moves changes region with it).
            commune = place_in_commune(self, self.commune_code)
        except ValidationError as error:
            return {"commune_code": error}
        if commune is None:
            return {}  # reference data not loaded: the code is only checked for its form
        changed = self.commune_code != getattr(self, "_loaded_commune_code", None)
        point = (self.latitude, self.longitude)
        given = None not in point and point != getattr(self, "_loaded_point", (None, None))
        if None in point or (changed and not given):
            self.latitude, self.longitude = commune.latitude, commune.longitude
        return {}

    def leave_commune(self, code: str) -> None:
        """The commune code ``code`` was cleared: clear the commune's name, and the point and
        region that came from that commune (a point equal to the commune's; the region the
        commune gave, unless this edit chose another), so that no pole is left "in Corse with
        Bordeaux coordinates". The region goes back to what it was before any commune was set
        (the pole's history says), which keeps a region a source gave."""
        self.commune_name = ""
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            return
        if (self.latitude, self.longitude) == (commune.latitude, commune.longitude):
            self.latitude = self.longitude = None
        if self.region_id == commune.region_id and self.pk is not None:
            self.region_id = self._region_before_communes()

    def _region_before_communes(self) -> int | None:
        """The region of the latest version without a commune (before this run of communes,
        whichever they were), or None if the pole always had one."""
        versions = self.history.order_by("-history_date", "-history_id").values_list(
            "commune_code", "region_id"
        )
        for version_code, region_id in versions[:500]:
            if not version_code:
                return region_id
        return None

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        loaded_code = getattr(self, "_loaded_commune_code", None)
        if not self.commune_code and loaded_code:
            self.leave_commune(loaded_code)
        if is_commune_code(self.commune_code):
            errors.update(self.take_commune_place())
        if (self.latitude is None) != (self.longitude is None):
            field = "longitude" if self.longitude is None else "latitude"
            errors[field] = _("Indiquez la latitude et la longitude ensemble, ou aucune des deux.")
        if self.founded_year and self.founded_year > timezone.localdate().year:
            errors["founded_year"] = _("L'année de création ne peut pas être dans le futur.")
        if self.commune_code and not self.commune_name and "commune_code" not in errors:
            # (an unknown code says so itself: no name can be typed to match it)
            errors["commune_name"] = _("Indiquez le nom de la commune qui correspond au code.")
        if errors:
            raise ValidationError(errors)
