"""An event of the national approach: a national day, a seminar, a law, a study...

Its date may be known to the day, the month or only the year (``date_precision``): the date
is then stored as the first day of that month or year and shown as precisely as it is known
(« mai 2013 », « 2009 »). Figures (participants, poles represented, regions concerned) stay
empty when no document gives them.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ptce_site.links import slug_path
from ptce_site.model_parts import checked_when_known
from ptce_site.validators import validate_single_line


class EventQuerySet(models.QuerySet):
    def in_date_order(self) -> EventQuerySet:
        """Oldest first; an event of unknown date last."""
        return self.order_by(F("start_date").asc(nulls_last=True), "title", "pk")


class Event(models.Model):
    class Kind(models.TextChoices):
        NATIONAL_DAY = "national_day", _("Journée nationale")
        SEMINAR = "seminar", _("Séminaire")
        CALL_MILESTONE = "call_milestone", _("Étape d'un appel")
        LAW = "law", _("Loi")
        STUDY = "study", _("Étude")
        OTHER = "other", _("Autre")

    class Precision(models.TextChoices):
        DAY = "day", _("Jour")
        MONTH = "month", _("Mois")
        YEAR = "year", _("Année")

    title = models.CharField(_("titre"), max_length=250, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)
    kind = models.CharField(_("type d'événement"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_(
            "Pour une date connue au mois ou à l'année seulement, le premier jour du mois ou "
            "de l'année, avec la précision qui convient."
        ),
    )
    date_precision = models.CharField(
        _("précision de la date"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
    )
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True, help_text=_("Pour une période seulement.")
    )
    place = models.CharField(
        _("lieu"), max_length=300, blank=True, validators=[validate_single_line]
    )
    description = models.TextField(_("description"), blank=True)
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    participants_is_lower_bound = models.BooleanField(
        _("« plus de » participants"),
        default=False,
        help_text=_("Cochez si les sources disent « plus de » ce nombre de participants."),
    )
    poles_represented = models.PositiveIntegerField(_("pôles représentés"), null=True, blank=True)
    regions_concerned = models.PositiveIntegerField(_("régions concernées"), null=True, blank=True)
    organisers = models.ManyToManyField(
        "members.Organisation",
        related_name="organised_events",
        blank=True,
        verbose_name=_("organisateurs"),
    )
    poles = models.ManyToManyField(
        "poles.Pole", related_name="events", blank=True, verbose_name=_("pôles participants")
    )
    sources = models.ManyToManyField(
        "poles.SourceDocument", related_name="events", blank=True, verbose_name=_("sources")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = [F("start_date").asc(nulls_last=True), "title", "pk"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        constraints = [
            checked_when_known(
                Q(end_date__gte=F("start_date")),
                "start_date",
                "end_date",
                name="event_end_after_start",
                message=_("La date de fin ne peut pas précéder la date de début."),
            ),
        ]
        indexes = [models.Index(fields=["start_date"], name="event_start_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_path("poles:event-detail", self.slug)

    @property
    def date_label(self) -> str:
        """The date as precisely as it is known: « 28 février 2013 », « mai 2013 », « 2009 »."""
        return shown_date(self.start_date, self.date_precision)

    @property
    def end_label(self) -> str:
        return shown_date(self.end_date, self.date_precision)

    @property
    def datetime_attribute(self) -> str:
        """The value of ``<time datetime>``: 2013-02-28, 2013-05 or 2009."""
        return machine_date(self.start_date, self.date_precision)

    @property
    def end_datetime_attribute(self) -> str:
        return machine_date(self.end_date, self.date_precision)

    def clean(self) -> None:
        super().clean()
        start = self.start_date
        if start and self.date_precision == self.Precision.MONTH and start.day != 1:
            raise ValidationError(
                {"start_date": _("Une date connue au mois s'écrit au premier jour du mois.")}
            )
        if (
            start
            and self.date_precision == self.Precision.YEAR
            and (start.month, start.day) != (1, 1)
        ):
            raise ValidationError(
                {"start_date": _("Une date connue à l'année s'écrit au 1er janvier.")}
            )


def shown_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == Event.Precision.YEAR:
        return str(value.year)
    if precision == Event.Precision.MONTH:
        return date_format(value, "F Y")
    return date_format(value, "j F Y")


def machine_date(value: datetime.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == Event.Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Event.Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()
