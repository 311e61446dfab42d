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
# The municipal arrondissements of Paris, Lyon and Marseille have INSEE codes of their own,
# which the reference of communes does not hold: a place there takes its city's code.
ARRONDISSEMENTS = {"75056": ("751",), "69123": ("6938",), "13055": ("132",)}
POSTAL_CODE_MATCHES = 3  # communes named when the code typed is the postal code of several


def unknown_commune(code: str) -> ValidationError:
    """The refusal of a code no commune bears, saying which code to give when the one typed
    is an arrondissement's or a postal code (« 75018 », the most common mistake)."""
    city = next(
        (city for city, prefixes in ARRONDISSEMENTS.items() if code.startswith(prefixes)), None
    )
    if city and (commune := Commune.objects.filter(code=city).first()):
        return ValidationError(
            _("%(code)s est le code d'un arrondissement : indiquez celui de la commune, "
              "%(name)s (%(commune)s)."),
            code="unknown_commune",
            params={"code": code, "name": commune.name, "commune": commune.code},
        )
    sharing = [
        commune for commune in Commune.objects.filter(postal_codes__contains=code)
        if code in commune.postal_codes.split()
    ]
    if len(sharing) == 1:
        return ValidationError(
            _("%(code)s est un code postal, pas un code INSEE : le code INSEE de %(name)s est "
              "%(commune)s."),
            code="unknown_commune",
            params={"code": code, "name": sharing[0].name, "commune": sharing[0].code},
        )
    if sharing:
        named = ", ".join(f"{c.name} ({c.code})" for c in sharing[:POSTAL_CODE_MATCHES])
        named += ", …" if len(sharing) > POSTAL_CODE_MATCHES else ""
        return ValidationError(
            _("%(code)s est un code postal, pas un code INSEE. Indiquez le code INSEE de votre "
              "commune parmi celles qui ont ce code postal : %(communes)s"),
            code="unknown_commune",
            params={"code": code, "communes": named},
        )
    return ValidationError(UNKNOWN_COMMUNE, code="unknown_commune")


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
            raise unknown_commune(code)
        return None
    place.commune_name = commune.name
    place.region = commune.region
    return commune


def commune_of_point(code: str, latitude, longitude) -> Commune | None:
    """The commune whose INSEE code is ``code`` if the point is its own representative point
    (taken from it when no one placed the pole): a place known to its commune only, whose
    page must not show that point as its address."""
    if not code or latitude is None or longitude is None:
        return None
    return Commune.objects.filter(code=code, latitude=latitude, longitude=longitude).first()
