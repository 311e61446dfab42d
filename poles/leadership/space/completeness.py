"""What a pole's profile still lacks, as the leaders' space home lists it: each item links to
the field to fill (an anchor in the profile form) or to the members page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ...registry.models import Pole


@dataclass(frozen=True)
class Missing:
    label: str
    url: str


def with_completeness(poles):
    """Annotate ``has_sectors`` (with ``with_member_count()`` for the members): what
    ``missing_items`` reads, in the query that lists the poles."""
    sectors = Pole.sectors.through.objects.filter(pole_id=OuterRef("pk"))
    return poles.annotate(has_sectors=Exists(sectors))


def missing_items(pole: Pole) -> list[Missing]:
    """What the public page of ``pole`` lacks, in the order of the form."""
    profile = reverse("space:edit-pole", args=[pole.slug])
    checks = [
        (not pole.summary, _("Écrire un résumé"), f"{profile}#id_summary"),
        (not pole.description, _("Écrire une description"), f"{profile}#id_description"),
        (
            pole.status == Pole.Status.NOT_KNOWN,
            _("Indiquer le statut du pôle"),
            f"{profile}#id_status",
        ),
        (not pole.logo, _("Ajouter un logo"), f"{profile}#id_logo"),
        (not pole.has_sectors, _("Choisir les secteurs d'activité"), f"{profile}#id_sectors"),
        (not pole.commune_code, _("Indiquer la commune"), f"{profile}#id_commune_code"),
        (not pole.has_location, _("Placer le pôle sur la carte"), f"{profile}#id_latitude"),
        (
            not (pole.website or pole.contact_email or pole.contact_phone),
            _("Indiquer un contact public (site web, e-mail ou téléphone)"),
            f"{profile}#id_website",
        ),
        (
            not pole.member_count,
            _("Ajouter les organisations membres"),
            reverse("space:pole-members", args=[pole.slug]) + "#ajouter",
        ),
    ]
    return [Missing(str(label), url) for lacking, label, url in checks if lacking]
