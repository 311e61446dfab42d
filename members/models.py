"""Member organisations of the poles and their memberships."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from poles.territories.validators import validate_commune_code
from ptce_site.collation import french
from ptce_site.links import slug_path
from ptce_site.model_parts import account_link, checked_when_known
from ptce_site.validators import validate_single_line


def luhn_is_valid(digits: str) -> bool:
    """The Luhn checksum used by SIREN numbers (9 digits)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def compact_siren(text: str) -> str:
    """A SIREN as people type it ("123 456 789") as it is stored: without its white space.
    The one clean-up for the forms, the organisations' search and the suggestions."""
    return "".join(text.split())


def is_digits(text: str) -> bool:
    """Only ASCII digits (``str.isdigit()`` alone also accepts "²" and "①")."""
    return text.isascii() and text.isdigit()


def is_siren_shaped(text: str) -> bool:
    """Nine digits: what a compacted SIREN looks like (its key is ``validate_siren``'s job)."""
    return len(text) == 9 and is_digits(text)


def validate_siren(value: str) -> None:
    if not is_siren_shaped(value):
        raise ValidationError(
            _("Un numéro SIREN compte exactement 9 chiffres, sans espace."), code="siren_format"
        )
    if not luhn_is_valid(value):
        raise ValidationError(
            _("Ce numéro SIREN n'est pas valide (clé de contrôle incorrecte) : vérifiez-le."),
            code="siren_checksum",
        )


def current_membership(prefix: str = "") -> Q:
    """The memberships current today (``prefix``: the path to them, e.g. ``"memberships__"``):
    no departure date, or one still to come. The one rule of the site (``is_current`` mirrors
    it)."""
    return Q(**{f"{prefix}left_on__isnull": True}) | Q(
        **{f"{prefix}left_on__gt": timezone.localdate()}
    )


class MembershipQuerySet(models.QuerySet):
    def current(self) -> MembershipQuerySet:
        """Memberships without a departure date or whose departure is still to come."""
        return self.filter(current_membership())

    def ended(self) -> MembershipQuerySet:
        """The others: a departure date today or past."""
        return self.filter(left_on__lte=timezone.localdate())


class OrganisationQuerySet(models.QuerySet):
    def public(self) -> OrganisationQuerySet:
        """The organisations the public pages and the API show: those they name (members,
        current or past, of a published pole; organisers of a call or of an event;
        signatories of the charter) and those of no pole at all (the networks of the
        approach, entered by the team). The one rule of what the public sees of them: an
        organisation known only as a member of poles not yet published answers 404, as an
        unknown slug does, until one is. The registry's models are reached through the
        relations: ``members`` sits below the registry and does not import it."""
        return self.exclude(pk__in=self.model.objects.hidden().values("pk"))

    def hidden(self) -> OrganisationQuerySet:
        """The organisations ``public()`` leaves out: known only as members of unpublished
        poles. Found first, among those members: the same rule written as "named or of no
        pole" over every organisation took PostgreSQL 434 ms to count them at 100,000
        organisations, this 95-110 ms."""
        model = self.model
        naming = (
            Membership.objects.filter(pole__is_published=True),
            model.organised_calls.through.objects.all(),
            model.organised_events.through.objects.all(),
            model.charter_signatures.rel.related_model.objects.all(),
        )
        hidden = self.filter(
            pk__in=Membership.objects.filter(pole__is_published=False).values("organisation")
        )
        for rows in naming:
            hidden = hidden.exclude(Exists(rows.filter(organisation=OuterRef("pk"))))
        return hidden

    def with_pole_count(
        self, *, published_only: bool = False, among: models.QuerySet | None = None
    ) -> OrganisationQuerySet:
        """Annotate ``pole_count``: poles the organisation currently belongs to (only the
        published ones with ``published_only``, as the public pages show them; only through
        the memberships ``among`` when given, those a regional curator may see)."""
        memberships = Membership.objects.current().filter(organisation=OuterRef("pk"))
        if published_only:
            memberships = memberships.filter(pole__is_published=True)
        if among is not None:
            memberships = memberships.filter(pk__in=among.values("pk"))
        return self.annotate(pole_count=_count_of(memberships, "pole"))

    def with_changed_by_a_person(self) -> OrganisationQuerySet:
        """Annotate ``changed_by_a_person_at``: when a person (staff, a leader) last saved the
        organisation, from its history; None for one nobody has changed since the seed load
        (or a script) wrote it, whose page then gives no date: the load's date is not when its
        facts were last updated."""
        versions = self.model.history.filter(id=OuterRef("pk"), history_user__isnull=False)
        latest = versions.order_by("-history_date").values("history_date")[:1]
        return self.annotate(changed_by_a_person_at=Subquery(latest))

    def with_call_count(self) -> OrganisationQuerySet:
        """Annotate ``call_count``: calls the organisation organised."""
        organised = self.model.organised_calls.through.objects.filter(
            organisation=OuterRef("pk")
        )
        return self.annotate(call_count=_count_of(organised, "call"))


def _count_of(rows: models.QuerySet, field: str) -> Coalesce:
    """How many distinct ``field`` the ``rows`` of each organisation hold, as a subquery: a
    list's count of its rows leaves it out (a count over joins would group every membership
    of the 100,000 organisations), and only the rows of the page shown compute it."""
    counted = rows.order_by().values("organisation").annotate(n=Count(field, distinct=True))
    return Coalesce(Subquery(counted.values("n")), 0)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ESS_ENTERPRISE = "ess", _("Entreprise de l'ESS")
        SME = "sme", _("PME ou entreprise classique")
        LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
        RESEARCH = "research", _("Centre de recherche")
        TRAINING = "training", _("Organisme de formation")
        NETWORK = "network", _("Réseau")
        OTHER = "other", _("Autre")
        # The documents name some organisations without saying what they are.
        NOT_KNOWN = "not_known", _("Non renseigné")

    class LegalForm(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        SCOP = "scop", _("SCOP")
        SCIC = "scic", _("SCIC")
        OTHER_COOPERATIVE = "cooperative", _("Autre coopérative")
        MUTUAL = "mutual", _("Mutuelle")
        FOUNDATION = "foundation", _("Fondation")
        COMPANY = "company", _("Société commerciale")
        PUBLIC_BODY = "public_body", _("Personne publique")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("identifiant d'URL"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    legal_form = models.CharField(
        _("forme juridique"),
        max_length=20,
        choices=LegalForm.choices,
        blank=True,
        help_text=_("Laissez vide si elle n'est pas connue."),
    )
    siren = models.CharField(
        _("SIREN"),
        max_length=9,
        blank=True,
        validators=[validate_siren],
        help_text=_("9 chiffres, facultatif."),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    commune_code = models.CharField(
        _("code commune INSEE"), max_length=5, blank=True, validators=[validate_commune_code]
    )
    commune_name = models.CharField(
        _("commune"), max_length=150, blank=True, validators=[validate_single_line]
    )
    region = models.ForeignKey(
        "poles.Region",
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("région"),
    )
    created_by = account_link(
        _("créée par"),
        related_name="created_organisations",
        help_text=_("Renseigné quand un porteur de pôle a créé l'organisation depuis son espace."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = [french("name")]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["siren"],
                condition=~Q(siren=""),
                name="organisation_siren_unique",
                violation_error_message=_("Une organisation porte déjà ce numéro SIREN."),
            ),
            models.CheckConstraint(
                condition=Q(siren="") | Exact(Length("siren"), 9),
                name="organisation_siren_length",
                violation_error_message=_("Un numéro SIREN compte exactement 9 chiffres."),
            ),
        ]
        # The organisations' directory, sorted by name: its first page reads this index.
        indexes = [models.Index(french("name"), name="organisation_name_fr")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_path("members:organisation-detail", self.slug)

    @classmethod
    def kind_name(cls, kind: str) -> str:
        """A kind as a badge or a heading names it, without the « Type » label beside it: an
        unknown kind is « Type non renseigné », not a bare « Non renseigné » (which read as
        "no member given" above a list of members)."""
        if kind == cls.Kind.NOT_KNOWN:
            return str(_("Type non renseigné"))
        return str(cls.Kind(kind).label)

    @property
    def kind_shown(self) -> str:
        return self.kind_name(self.kind)


class Membership(models.Model):
    class Role(models.TextChoices):
        FOUNDER = "founder", _("Membre fondateur")
        MEMBER = "member", _("Membre")
        PARTNER = "partner", _("Partenaire")
        FUNDER = "funder", _("Financeur")

    pole = models.ForeignKey(
        "poles.Pole", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("pôle")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("arrivée le"), null=True, blank=True)
    left_on = models.DateField(_("départ le"), null=True, blank=True)

    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = [french("pole__name"), french("organisation__name")]
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        constraints = [
            models.UniqueConstraint(
                fields=["pole", "organisation", "role"],
                name="membership_unique_role",
                violation_error_message=_("Cette organisation a déjà ce rôle dans ce pôle."),
            ),
            checked_when_known(
                Q(left_on__gte=models.F("joined_on")),
                "left_on", "joined_on",
                name="membership_left_after_joined",
                message=_("La date de départ ne peut pas précéder la date d'arrivée."),
            ),
        ]
        # The network of poles (``poles/registry/network``) groups the current memberships by
        # organisation: read in the index's order, with the departure date in it, without
        # reading the table (300,000 memberships: 270 → 110 ms).
        indexes = [
            models.Index(
                fields=["organisation", "pole", "left_on"], name="membership_organisation_pole"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.pole} ({self.get_role_display()})"

    @property
    def is_current(self) -> bool:
        """As ``Membership.objects.current()``: no departure date, or one still to come."""
        return self.left_on is None or self.left_on > timezone.localdate()
