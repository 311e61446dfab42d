"""The charter of the collective approach and its signatures.

A signature (``CharterSignature``) is the registry's ONE record of "who signed and when", for a
pole as for an organisation (a network): the directory's « charter » filter, its counts, the
exports and imports (column « signature de la charte »), the API and the pages all read it.
A pole's signature date is read through ``PoleQuerySet.with_charter_date()``.

The charter's own facts (title, date, place, description) hold only what a source document
says; the seed names no signatory, since no document names one.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ptce_site.collation import french
from ptce_site.validators import validate_single_line

from ..models import CHARTER_DATE


class CharterQuerySet(models.QuerySet):
    def the_charter(self) -> Charter | None:
        """The charter of the approach (the oldest, should another ever be recorded)."""
        return self.order_by("signed_on", "pk").first()


class Charter(models.Model):
    title = models.CharField(_("titre"), max_length=250, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    signed_on = models.DateField(
        _("date de signature"), help_text=_("Le jour où la charte a été signée.")
    )
    place = models.CharField(
        _("lieu de signature"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Seulement ce qu'un document source en dit ; vide sinon."),
    )
    description = models.TextField(_("description"), blank=True)
    sources = models.ManyToManyField(
        "poles.SourceDocument", related_name="charters", blank=True, verbose_name=_("sources")
    )
    event = models.ForeignKey(
        "poles.Event",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="charters",
        verbose_name=_("événement de la signature"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = CharterQuerySet.as_manager()

    class Meta:
        ordering = ["signed_on", "pk"]
        verbose_name = _("charte")
        verbose_name_plural = _("chartes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("poles:charter")

    @property
    def date_label(self) -> str:
        return date_format(self.signed_on, "j F Y")


class CharterSignatureQuerySet(models.QuerySet):
    def of_poles(self) -> CharterSignatureQuerySet:
        """The published poles' signatures, poles in French order."""
        return (
            self.filter(pole__is_published=True)
            .select_related("pole")
            .order_by(french("pole__name"), "pk")
        )

    def of_organisations(self) -> CharterSignatureQuerySet:
        return (
            self.filter(organisation__isnull=False)
            .select_related("organisation")
            .order_by(french("organisation__name"), "pk")
        )


class CharterSignature(models.Model):
    """A pole or an organisation (a network) that signed the charter, and when."""

    charter = models.ForeignKey(
        Charter, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("charte")
    )
    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="charter_signatures",
        verbose_name=_("pôle"),
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charter_signatures",
        verbose_name=_("organisation"),
        help_text=_("Un réseau partenaire, par exemple. Un pôle OU une organisation."),
    )
    signed_on = models.DateField(
        _("signée le"),
        help_text=_("Au plus tôt le jour de la charte, jamais dans le futur."),
    )
    note = models.TextField(_("note"), blank=True)
    sources = models.ManyToManyField(
        "poles.SourceDocument",
        related_name="charter_signatures",
        blank=True,
        verbose_name=_("sources"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = CharterSignatureQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["charter", "signed_on", "pk"]
        verbose_name = _("signature de la charte")
        verbose_name_plural = _("signatures de la charte")
        constraints = [
            models.CheckConstraint(
                condition=Q(pole__isnull=False, organisation__isnull=True)
                | Q(pole__isnull=True, organisation__isnull=False),
                name="charter_signature_one_signatory",
                violation_error_message=_(
                    "Une signature est celle d'un pôle ou d'une organisation : choisissez "
                    "l'un des deux, pas les deux."
                ),
            ),
            models.UniqueConstraint(
                fields=["charter", "pole"],
                condition=Q(pole__isnull=False),
                name="charter_signature_pole_once",
                violation_error_message=_("Ce pôle a déjà signé cette charte."),
            ),
            models.UniqueConstraint(
                fields=["charter", "organisation"],
                condition=Q(organisation__isnull=False),
                name="charter_signature_organisation_once",
                violation_error_message=_("Cette organisation a déjà signé cette charte."),
            ),
            models.CheckConstraint(
                condition=Q(signed_on__gte=CHARTER_DATE),
                name="charter_signature_after_2014_09_19",
                violation_error_message=_(
                    "La charte de la démarche collective PTCE a été signée à partir du "
                    "19 septembre 2014 : une date antérieure n'est pas possible."
                ),
            ),
        ]
        indexes = [models.Index(fields=["pole", "signed_on"], name="charter_signature_pole")]

    def __str__(self) -> str:
        signatory = self.signatory
        if signatory is None or self.signed_on is None:
            return str(signatory or "")
        return f"{signatory} — {date_format(self.signed_on, 'j F Y')}"

    @property
    def signatory(self):
        """The pole or the organisation that signed (None while neither is chosen)."""
        if self.pole_id:
            return self.pole
        return self.organisation if self.organisation_id else None

    def _has(self, name: str) -> bool:
        """Whether the relation ``name`` is set (a pole being added with its signature in the
        admin has no key yet, but is there)."""
        field = self._meta.get_field(name)
        if getattr(self, field.attname) is not None:
            return True
        return field.is_cached(self) and field.get_cached_value(self) is not None

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self._has("pole") == self._has("organisation"):
            errors[NON_FIELD_ERRORS] = _(
                "Choisissez le pôle OU l'organisation qui a signé (un seul des deux)."
            )
        charter = self.charter if self.charter_id else None
        if self.signed_on and charter and (problem := date_problem(charter, self.signed_on)):
            errors["signed_on"] = problem
        if errors:
            raise ValidationError(errors)


def signed_charter() -> Exists:
    """Whether the pole of the outer query has a signature of the charter (the directory's
    « charter » filter and its sets)."""
    return Exists(CharterSignature.objects.filter(pole=OuterRef("pk")))


def date_problem(charter: Charter, day: datetime.date) -> str | None:
    """What is wrong with ``day`` as the date of a signature of ``charter`` (None: nothing):
    the rule of the admin, the import and the model alike."""
    if day < charter.signed_on:
        return _("La charte date du %(date)s : on ne peut pas l'avoir signée avant.") % {
            "date": charter.date_label
        }
    if day > timezone.localdate():
        return _("La date de signature ne peut pas être dans le futur.")
    return None
