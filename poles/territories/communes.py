"""The commune lookup: an INSEE commune code gives a place its commune's name and region.

One rule for every form that takes a commune code: the pole's (its ``clean()``, used by the
leaders' form and the admin; the pole also takes the commune's point) and the organisation's
(``members.forms``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Commune

UNKNOWN_COMMUNE = _("Aucune commune ne porte ce code INSEE.")


def place_in_commune(place, code: str) -> Commune | None:
    """Give ``place`` (anything with ``commune_name`` and ``region``) the name and region of
    the commune whose INSEE code is ``code``, and return that commune.

    Returns None, changing nothing, when the communes table is empty (reference data not
    loaded: the code is only checked for its form); raises ``ValidationError`` (code
    ``unknown_commune``) when the table holds no such commune.
    """
    commune = Commune.objects.select_related("region").filter(code=code).first()
    if commune is None:
        if Commune.objects.exists():
            raise ValidationError(UNKNOWN_COMMUNE, code="unknown_commune")
        return None
    place.commune_name = commune.name
    place.region = commune.region
    return commune
