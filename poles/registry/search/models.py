"""What the search index stores: one document per pole, the vocabulary of the published ones,
and the kinds of each pole's current members, each until the day it ends. All are kept by
``indexer.py``; the database's own full-text structures are built from the documents by the
migration ``poles/0017_search_index`` (a generated ``tsvector`` column with a GIN index on
PostgreSQL, an FTS5 table filled by triggers on SQLite)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import current_membership

from ..models import Pole


class SearchDocument(models.Model):
    """The text of a pole, by weight: what the full-text index of each database reads."""

    # No database constraint nor cascade: the indexer removes the document of a deleted pole
    # itself (it must read its words first to keep the vocabulary's counts right).
    pole = models.OneToOneField(
        Pole,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("pôle"),
    )
    name = models.TextField(_("nom"))  # weight A
    about = models.TextField(_("résumé, territoire, commune"), blank=True)  # weight B
    related = models.TextField(_("secteurs et organisations membres"), blank=True)  # C
    body = models.TextField(_("description"), blank=True)  # weight D
    # Whether the words of this document are counted in the vocabulary (a published pole's):
    # a correction never suggests a word that only an unpublished pole holds.
    counted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("document de recherche")
        verbose_name_plural = _("documents de recherche")

    def __str__(self) -> str:
        return self.name

    @property
    def text(self) -> str:
        return " ".join((self.name, self.about, self.related, self.body))


class SearchWord(models.Model):
    """A folded word of the published poles' documents, with the number of poles holding it:
    what a misspelt query word is corrected to, and what a prefix expands to."""

    word = models.CharField(_("mot"), max_length=40, unique=True)
    # Signed: a count that went wrong can never make an update fail (it is rebuilt anyway).
    frequency = models.IntegerField(_("nombre de pôles"), default=0)

    class Meta:
        verbose_name = _("mot de l'index")
        verbose_name_plural = _("mots de l'index")

    def __str__(self) -> str:
        return self.word


class MemberKindQuerySet(models.QuerySet):
    def current(self) -> MemberKindQuerySet:
        """The kinds a pole has today: the rule of a current membership
        (``members.models.current_membership``), on the departure date of the kind."""
        return self.filter(current_membership())


class MemberKind(models.Model):
    """A kind of organisation among a pole's current members, once per pole, with the day it
    stops being one: what the directory's "kind of member" filter and facet read
    (``MemberKind.objects.current()``), instead of joining every membership to its
    organisation (300,000 memberships at the bench's scale).

    Dated because nothing is written when a departure date comes: a pole whose only local
    authority leaves on 8 December must no longer be found under "local authority" from that
    day, whether or not anything reindexed it (``make run`` has no cron)."""

    # Like the documents: no constraint nor cascade, the indexer keeps the rows of every pole.
    pole = models.ForeignKey(
        Pole,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="member_kinds",
        verbose_name=_("pôle"),
    )
    kind = models.CharField(_("type"), max_length=20)
    # The latest departure date of the pole's current members of this kind; none when one of
    # them has no departure date. Named as the memberships' own field, so that the one rule of
    # a current membership reads it.
    left_on = models.DateField(_("départ le"), null=True, blank=True)

    objects = MemberKindQuerySet.as_manager()

    class Meta:
        verbose_name = _("type de membre d'un pôle")
        verbose_name_plural = _("types de membres des pôles")
        constraints = [
            models.UniqueConstraint(fields=["pole", "kind"], name="memberkind_pole_kind_unique")
        ]
        # The filter reads the poles of one kind; the facet, the kinds of a set of poles
        # (served by the unique constraint's index).
        indexes = [models.Index(fields=["kind", "pole"], name="memberkind_kind_pole")]

    def __str__(self) -> str:
        return f"{self.pole_id}: {self.kind}"
