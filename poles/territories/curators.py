"""Regional curators: staff accounts of a regional chamber of the ESS (CRESS) or a regional
network, attached to one or more current regions (the former regions follow), who curate the
poles of those regions and nothing else. What they may see and change is decided in one place,
``scope.py``; this module holds who they are.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ptce_site.validators import validate_single_line

from .models import Region


class RegionalCurator(models.Model):
    """The regions a staff account curates, and the organisation it curates them for (the
    region's public page names the organisation, never the person)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="regional_curator",
        verbose_name=_("compte"),
    )
    organisation_name = models.CharField(
        _("organisation"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text=_(
            "L'organisation pour laquelle ce compte anime ses régions (par exemple « CRESS "
            "Bretagne ») : la page publique de chaque région la nomme."
        ),
    )
    regions = models.ManyToManyField(
        Region,
        related_name="regional_curators",
        blank=True,
        verbose_name=_("régions"),
        help_text=_(
            "Ce compte ne voit et ne modifie que les pôles de ces régions (anciennes régions "
            "comprises), leurs adhésions, candidatures, invitations et demandes, et les "
            "organisations qui leur sont liées ou qui y sont situées."
        ),
    )

    class Meta:
        verbose_name = _("animation régionale")
        verbose_name_plural = _("animations régionales")

    def __str__(self) -> str:
        return self.organisation_name or str(self.user)


def curating_organisations(region: Region) -> list[str]:
    """The names of the organisations whose active accounts curate ``region``, sorted."""
    names = (
        RegionalCurator.objects.filter(regions=region, user__is_active=True, user__is_staff=True)
        .exclude(organisation_name="")
        .values_list("organisation_name", flat=True)
        .distinct()
    )
    return sorted(set(names), key=str.casefold)
