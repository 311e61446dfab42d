"""A pole's yearly indicators: one row per pole and year, the figures its leaders (or staff, or a
survey) report about a finished year, reviewed by staff before they are public.

Every figure is optional: what nobody gave stays empty (never 0). The definitions are in the
README (« Indicateurs annuels »); the bounds below refuse what cannot be a pole's figure,
with a message that says the bound and why. The member organisations by kind are not stored:
they are computed from the memberships as of 31 December of the year (``members.py``).

Status: ``draft`` (saved by the leaders, not sent), ``submitted`` (sent for review: staff are
e-mailed), ``checked`` (staff checked them: who and when). Only checked figures of published
poles are public (``YearlyIndicatorsQuerySet.public()``). A checked year is read-only for the
leaders; staff correct it in the admin.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ptce_site.model_parts import CountsSaves, account_link, checked_when_known

# The approach was proposed in 2009 (États généraux de l'ESS): no PTCE figure before it.
FIRST_YEAR = 2009
# Ceilings far above any known pole (the largest report a few hundred jobs and a few million
# euros): a value over them is a typing slip (an extra zero, cents typed as euros).
MAX_FTE = 5_000
MAX_JOBS_CREATED = 5_000
MAX_INTEGRATION_PEOPLE = 20_000
MAX_BUDGET_EUROS = 500_000_000
MAX_VOLUNTEERS = 100_000


def last_reportable_year() -> int:
    """The last year whose figures may be given: the last finished one."""
    return timezone.localdate().year - 1


def is_reportable(year: int) -> bool:
    return FIRST_YEAR <= year <= last_reportable_year()


def _at_least_zero(message):
    return MinValueValidator(0, message)


def _ceiling(limit: int, message):
    return MaxValueValidator(limit, message)


def _none_negative() -> Q:
    """Each count and amount empty or at least 0 (the share has its own range)."""
    condition = Q()
    for name in ("jobs_fte", "jobs_created", "integration_people", "budget_euros", "volunteers"):
        condition &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 0})
    return condition


class YearlyIndicatorsQuerySet(models.QuerySet):
    def checked(self) -> YearlyIndicatorsQuerySet:
        return self.filter(status=YearlyIndicators.Status.CHECKED)

    def public(self) -> YearlyIndicatorsQuerySet:
        """What the public may see: checked figures of published poles."""
        return self.checked().filter(pole__is_published=True)

    def sent(self) -> YearlyIndicatorsQuerySet:
        """Submitted for review or already checked: the year is reported."""
        return self.exclude(status=YearlyIndicators.Status.DRAFT)


class YearlyIndicators(CountsSaves, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Transmis, à vérifier")
        CHECKED = "checked", _("Vérifié")

    class Source(models.TextChoices):
        POLE = "pole", _("Déclaré par le pôle")
        STAFF = "staff", _("Équipe du registre")
        SURVEY = "survey", _("Enquête")

    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.CASCADE,
        related_name="yearly_indicators",
        verbose_name=_("pôle"),
    )
    year = models.PositiveSmallIntegerField(_("année"))
    jobs_fte = models.DecimalField(
        _("emplois (ETP)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("Le nombre d'emplois ne peut pas être négatif.")),
            _ceiling(MAX_FTE, _(
                "Plus de 5 000 emplois en équivalent temps plein : aucun pôle n'en compte "
                "autant. Comptez les emplois des structures membres au 31 décembre, en ETP "
                "(un mi-temps compte 0,5), et vérifiez qu'il n'y a pas un zéro de trop."
            )),
        ],
        help_text=_("En équivalents temps plein au 31 décembre (un mi-temps compte 0,5)."),
    )
    jobs_created = models.IntegerField(
        _("emplois créés dans l'année"),
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("Le nombre d'emplois créés ne peut pas être négatif.")),
            _ceiling(MAX_JOBS_CREATED, _(
                "Plus de 5 000 emplois créés en un an : aucun pôle n'en crée autant ; "
                "vérifiez qu'il n'y a pas un zéro de trop."
            )),
        ],
        help_text=_("Postes nouveaux ouverts pendant l'année (en personnes, pas en ETP)."),
    )
    integration_people = models.IntegerField(
        _("personnes en parcours d'insertion"),
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("Le nombre de personnes en insertion ne peut pas être négatif.")),
            _ceiling(MAX_INTEGRATION_PEOPLE, _(
                "Plus de 20 000 personnes en parcours d'insertion : aucun pôle n'en accompagne "
                "autant ; vérifiez qu'il n'y a pas un zéro de trop."
            )),
        ],
        help_text=_(
            "Personnes accompagnées pendant l'année dans un dispositif d'insertion par "
            "l'activité économique (chantier, entreprise ou association d'insertion…)."
        ),
    )
    budget_euros = models.BigIntegerField(
        _("budget annuel (euros)"),
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("Le budget ne peut pas être négatif.")),
            _ceiling(MAX_BUDGET_EUROS, _(
                "Plus de 500 millions d'euros : aucun pôle n'a un tel budget. Indiquez le "
                "montant en euros (pas en centimes), sans décimales."
            )),
        ],
        help_text=_(
            "Charges de l'année de la structure qui anime le pôle, en euros, sans décimales."
        ),
    )
    public_funding_share = models.DecimalField(
        _("part de financement public (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("La part de financement public ne peut pas être négative.")),
            _ceiling(100, _(
                "Une part ne peut pas dépasser 100 %% : indiquez le pourcentage du budget "
                "couvert par des subventions et financements publics (de 0 à 100)."
            )),
        ],
        help_text=_(
            "Part du budget annuel couverte par des subventions et financements publics, "
            "en pourcentage (de 0 à 100)."
        ),
    )
    volunteers = models.IntegerField(
        _("bénévoles"),
        null=True,
        blank=True,
        validators=[
            _at_least_zero(_("Le nombre de bénévoles ne peut pas être négatif.")),
            _ceiling(MAX_VOLUNTEERS, _(
                "Plus de 100 000 bénévoles : aucun pôle n'en compte autant ; vérifiez qu'il "
                "n'y a pas un zéro de trop."
            )),
        ],
        help_text=_("Personnes bénévoles actives pendant l'année dans le pôle."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.POLE
    )
    note = models.TextField(
        _("note pour l'équipe du registre"),
        blank=True,
        max_length=2000,
        help_text=_("Non publiée : précisions sur les chiffres, leur périmètre, leur source."),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    submitted_by = account_link(_("transmis par"))
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    checked_by = account_link(_("vérifié par"))
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Augmente à chaque enregistrement ; protège des modifications concurrentes."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = YearlyIndicatorsQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    # The figures, in the order of the forms, tables and files.
    FIGURES = (
        "jobs_fte",
        "jobs_created",
        "integration_people",
        "budget_euros",
        "public_funding_share",
        "volunteers",
    )

    class Meta:
        ordering = ["pole", "-year"]
        verbose_name = _("indicateurs annuels")
        verbose_name_plural = _("indicateurs annuels")
        constraints = [
            models.UniqueConstraint(
                fields=["pole", "year"],
                name="indicators_one_per_pole_and_year",
                violation_error_message=_("Ce pôle a déjà des indicateurs pour cette année."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR),
                name="indicators_year_from_2009",
                violation_error_message=_(
                    "Les indicateurs annuels commencent en 2009, année où la démarche des "
                    "PTCE a été proposée."
                ),
            ),
            checked_when_known(
                Q(public_funding_share__gte=0, public_funding_share__lte=100),
                "public_funding_share",
                name="indicators_share_is_a_percentage",
                message=_("Une part de financement public va de 0 à 100 %%."),
            ),
            models.CheckConstraint(
                condition=_none_negative(),
                name="indicators_not_negative",
                violation_error_message=_("Aucun indicateur ne peut être négatif."),
            ),
        ]
        indexes = [models.Index(fields=["year", "status"], name="indicators_year_status")]

    def __str__(self) -> str:
        return f"{self.pole} — {self.year}"

    @property
    def is_checked(self) -> bool:
        return self.status == self.Status.CHECKED

    @property
    def has_figures(self) -> bool:
        return any(getattr(self, name) is not None for name in self.FIGURES)

    def submit(self, user) -> None:
        """Sent for review by ``user`` (not saved here)."""
        self.status = self.Status.SUBMITTED
        self.submitted_at = timezone.now()
        self.submitted_by = user if getattr(user, "is_authenticated", False) else None

    def mark_checked(self, user) -> None:
        """Checked by ``user`` (not saved here)."""
        self.status = self.Status.CHECKED
        self.checked_at = timezone.now()
        self.checked_by = user if getattr(user, "is_authenticated", False) else None

    def clean(self) -> None:
        super().clean()
        year = self.year
        if year is None:
            return
        if year < FIRST_YEAR:
            raise ValidationError({"year": _(
                "Les indicateurs annuels commencent en %(first)s, année où la démarche des "
                "PTCE a été proposée (États généraux de l'ESS) : %(year)s est trop ancienne."
            ) % {"first": FIRST_YEAR, "year": year}})
        if year > last_reportable_year():
            raise ValidationError({"year": _(
                "L'année %(year)s n'est pas terminée : ses chiffres se déclarent à partir du "
                "1er janvier %(next)s, une fois l'année close."
            ) % {"year": year, "next": year + 1}})


class IndicatorReminder(models.Model):
    """The yearly reminder e-mailed to a pole's leaders for one year: sent once
    (``manage.py send_indicator_reminders``)."""

    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.CASCADE,
        related_name="indicator_reminders",
        verbose_name=_("pôle"),
    )
    year = models.PositiveSmallIntegerField(_("année"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("destinataires"), default=0)

    class Meta:
        verbose_name = _("rappel des indicateurs annuels")
        verbose_name_plural = _("rappels des indicateurs annuels")
        constraints = [
            models.UniqueConstraint(fields=["pole", "year"], name="indicator_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pole} — {self.year}"
