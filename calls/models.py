"""Calls for projects and candidates, their milestones, and the poles' applications."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from ptce_site.collation import french
from ptce_site.links import slug_path
from ptce_site.model_parts import checked_when_known


class CallQuerySet(models.QuerySet):
    def with_laureate_count(self) -> CallQuerySet:
        return self.annotate(
            laureate_count=Count(
                "applications",
                filter=Q(applications__outcome=Application.Outcome.LAUREATE),
                distinct=True,
            )
        )


class Call(models.Model):
    class Kind(models.TextChoices):
        NETWORK_CANDIDATES = "network_candidates", _("Appel à candidatures des réseaux")
        INTERMINISTERIAL = "interministerial", _("Appel à projets interministériel")
        EXPRESSION_OF_INTEREST = "expression_of_interest", _("Appel à manifestation d'intérêt")

    class ReceivedUnit(models.TextChoices):
        APPLICATIONS = "applications", _("dossiers")
        ANSWERS = "answers", _("réponses")

    title = models.CharField(_("titre"), max_length=250)
    slug = models.SlugField(_("identifiant d'URL"), max_length=100, unique=True)
    year = models.PositiveSmallIntegerField(
        _("année"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("L'année qui nomme l'appel (par exemple 2013 pour l'appel à projets de 2013)."),
    )
    kind = models.CharField(_("type d'appel"), max_length=30, choices=Kind.choices)
    organisers = models.ManyToManyField(
        "members.Organisation",
        related_name="organised_calls",
        blank=True,
        verbose_name=_("organisateurs"),
    )
    summary = models.CharField(_("résumé"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    launched_on = models.DateField(_("lancé le"), null=True, blank=True)
    closes_on = models.DateField(_("clôture le"), null=True, blank=True)
    results_on = models.DateField(_("résultats le"), null=True, blank=True)
    applications_received = models.PositiveIntegerField(_("dossiers reçus"), null=True, blank=True)
    received_unit = models.CharField(
        _("ce que les sources comptent"),
        max_length=20,
        choices=ReceivedUnit.choices,
        default=ReceivedUnit.APPLICATIONS,
        help_text=_(
            "Le mot des sources pour ce nombre : « 150 réponses » (candidatures, manifestations "
            "d'intérêt ou de soutien) n'est pas « 150 dossiers »."
        ),
    )
    received_is_lower_bound = models.BooleanField(
        _("« plus de »"),
        default=False,
        help_text=_("Cochez si les sources disent « plus de » ce nombre de dossiers reçus."),
    )
    applications_eligible = models.PositiveIntegerField(
        _("dossiers recevables"), null=True, blank=True
    )
    applications_selected = models.PositiveIntegerField(
        _("dossiers retenus"), null=True, blank=True
    )
    sources = models.ManyToManyField(
        "poles.SourceDocument", related_name="calls", blank=True, verbose_name=_("sources")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-year", french("title")]
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        constraints = [
            checked_when_known(
                Q(applications_selected__lte=F("applications_eligible")),
                "applications_selected", "applications_eligible",
                name="call_selected_lte_eligible",
                message=_(
                    "Le nombre de dossiers retenus ne peut pas dépasser celui des dossiers "
                    "recevables."
                ),
            ),
            checked_when_known(
                Q(applications_eligible__lte=F("applications_received")),
                "applications_eligible", "applications_received",
                name="call_eligible_lte_received",
                message=_(
                    "Le nombre de dossiers recevables ne peut pas dépasser celui des dossiers "
                    "reçus."
                ),
            ),
            checked_when_known(
                Q(applications_selected__lte=F("applications_received")),
                "applications_selected", "applications_received",
                name="call_selected_lte_received",
                message=_(
                    "Le nombre de dossiers retenus ne peut pas dépasser celui des dossiers reçus."
                ),
            ),
            checked_when_known(
                Q(closes_on__gte=F("launched_on")),
                "launched_on", "closes_on",
                name="call_closes_after_launch",
                message=_("La clôture ne peut pas précéder le lancement."),
            ),
            checked_when_known(
                Q(results_on__gte=F("closes_on")),
                "closes_on", "results_on",
                name="call_results_after_closing",
                message=_("Les résultats ne peuvent pas précéder la clôture."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_path("calls:call-detail", self.slug)

    @property
    def selection_rate(self) -> float | None:
        """Share of eligible applications that were selected, or None when unknown."""
        if self.applications_selected is None or not self.applications_eligible:
            return None
        return self.applications_selected / self.applications_eligible


class Milestone(models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("appel")
    )
    date = models.DateField(_("date"))
    end_date = models.DateField(
        _("date de fin"), null=True, blank=True, help_text=_("Pour une période seulement.")
    )
    label = models.CharField(_("étape"), max_length=300)
    date_to_be_confirmed = models.BooleanField(_("date à confirmer"), default=False)

    class Meta:
        ordering = ["call", "date", "pk"]
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        constraints = [
            checked_when_known(
                Q(end_date__gte=F("date")),
                "end_date",
                name="milestone_end_after_start",
                message=_("La date de fin ne peut pas précéder la date de début."),
            ),
            models.UniqueConstraint(
                fields=["call", "date", "label"],
                name="milestone_unique",
                violation_error_message=_("Cette étape existe déjà pour cet appel à cette date."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ApplicationQuerySet(models.QuerySet):
    def laureates(self) -> ApplicationQuerySet:
        return self.filter(outcome=Application.Outcome.LAUREATE)

    def cited_as_examples(self) -> ApplicationQuerySet:
        return self.filter(outcome=Application.Outcome.CITED_AS_EXAMPLE)


class Application(models.Model):
    """A pole's answer to a call, and what came of it; or a pole the call's documents cite as
    an example (``CITED_AS_EXAMPLE``), so that the call's page and filters find it too."""

    class Outcome(models.TextChoices):
        SUBMITTED = "submitted", _("Déposé")
        ELIGIBLE = "eligible", _("Recevable")
        LAUREATE = "laureate", _("Lauréat")
        NOT_SELECTED = "not_selected", _("Non retenu")
        # Named by the call's own text as an example (the 2011 call's "cahiers d'espérance"),
        # which is neither an application nor a selection.
        CITED_AS_EXAMPLE = "cited_as_example", _("Cité comme exemple")

    class Track(models.TextChoices):
        OPERATIONAL = "operational", _("Pôle opérationnel")
        IN_PROJECT = "in_project", _("Initiative en projet ou en construction")
        SUPPORT = "support", _("Manifestation d'intérêt ou de soutien")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="applications", verbose_name=_("appel")
    )
    pole = models.ForeignKey(
        "poles.Pole",
        on_delete=models.CASCADE,
        related_name="applications",
        verbose_name=_("pôle"),
    )
    outcome = models.CharField(
        _("résultat"), max_length=20, choices=Outcome.choices, default=Outcome.SUBMITTED
    )
    track = models.CharField(
        _("modalité de réponse"),
        max_length=20,
        choices=Track.choices,
        blank=True,
        help_text=_("Pour les appels qui proposent plusieurs façons de répondre."),
    )
    former_region = models.ForeignKey(
        "poles.FormerRegion",
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
        verbose_name=_("ancienne région"),
        help_text=_(
            "La région telle qu'elle s'appelait avant 2016, pour les appels de cette époque."
        ),
    )
    region_name_then = models.CharField(
        _("région à l'époque"),
        max_length=100,
        blank=True,
        help_text=_("Le nom de la région tel que l'écrivent les documents de l'appel."),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", french("pole__name")]
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "pole"],
                name="application_one_per_call_and_pole",
                violation_error_message=_("Ce pôle a déjà une candidature à cet appel."),
            ),
        ]
        indexes = [models.Index(fields=["outcome", "call"], name="application_outcome_call")]

    def __str__(self) -> str:
        return f"{self.pole} — {self.call}"

    @property
    def is_laureate(self) -> bool:
        return self.outcome == self.Outcome.LAUREATE

    def clean(self) -> None:
        super().clean()
        if (
            self.former_region_id
            and self.pole_id
            and self.pole.region_id
            and self.former_region.region_id != self.pole.region_id
        ):
            raise ValidationError(
                {
                    "former_region": _(
                        "Cette ancienne région fait partie aujourd'hui de la région %(region)s, "
                        "alors que le pôle est rattaché à la région %(pole_region)s."
                    )
                    % {"region": self.former_region.region, "pole_region": self.pole.region}
                }
            )
