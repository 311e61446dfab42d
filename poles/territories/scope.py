"""The one rule of what a staff account may see and change: national curators and administrators
the whole registry; a regional curator (``curators.RegionalCurator``) the rows of their regions.

Every part of the site that lists or changes rows for staff asks this module, through
``ptce_site.scope`` (registered by the poles app): the admin's lists, forms, autocomplete,
inlines, actions, history, exports and imports, the decision pages, the titles' counts, and
the e-mails to staff (``accounts_curating``). How each model reaches its regions is declared
once, in ``REGION_PATHS``; a model not listed there is not split between regions.

A regional curator is an account with regions (its ``RegionalCurator`` row), or in the
"Regional curators" group, that is not a superuser: in the group without regions, it sees
nothing rather than everything. Regions are current regions: a former region follows the
region it merged into, and a pole, organisation or proposal is in a region by its ``region``.
"""

from __future__ import annotations

from functools import reduce

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from ptce_site.curators import REGIONAL_CURATORS_GROUP, REGIONAL_MODELS

from .curators import RegionalCurator

# How each model reaches the region(s) its rows belong to (lookup paths, the first that
# reaches one of the curator's regions lets the row in).
REGION_PATHS: dict[str, tuple[str, ...]] = {
    "poles.pole": ("region",),
    "poles.invitation": ("pole__region",),
    "poles.claimrequest": ("pole__region",),
    "poles.poleproposal": ("region",),
    "members.organisation": ("region", "memberships__pole__region"),
    "members.membership": ("pole__region",),
    "calls.application": ("pole__region",),
    "poles.yearlyindicators": ("pole__region",),
    # A signature of the charter: its pole's region, or its organisation's (as organisations).
    "poles.chartersignature": (
        "pole__region", "organisation__region", "organisation__memberships__pole__region",
    ),
    # Reference data, read-only for regional curators, shown for their regions only.
    "poles.region": ("pk",),
    "poles.formerregion": ("region",),
    "poles.commune": ("region",),
    # Accounts: those leading their poles (the leaders' choice on a pole's page).
    settings.AUTH_USER_MODEL.lower(): ("led_poles__region",),
}
_UNSET = object()


def curated_regions(user) -> frozenset[int] | None:
    """The keys of the regions ``user`` curates; ``None`` for the whole registry. Read once
    per user object (a request's)."""
    if user is None:  # code and commands, not an account
        return None
    cached = getattr(user, "_curated_regions", _UNSET)
    if cached is not _UNSET:
        return cached
    regions = None
    if user.is_authenticated and not user.is_superuser:
        rows = list(RegionalCurator.objects.filter(user=user).values_list("regions", flat=True))
        if rows:
            regions = frozenset(row for row in rows if row is not None)
        elif user.groups.filter(name=REGIONAL_CURATORS_GROUP).exists():
            regions = frozenset()
    user._curated_regions = regions
    return regions


def regional_accounts() -> Q:
    """The accounts ``curated_regions`` limits, as a condition on the user model."""
    return (
        Q(regional_curator__isnull=False) | Q(groups__name=REGIONAL_CURATORS_GROUP)
    ) & Q(is_superuser=False)


def accounts_curating(region_id: int | None):
    """The active staff accounts curating the region ``region_id`` (none for ``None``)."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True, is_superuser=False)
    return users.filter(regional_curator__regions=region_id) if region_id else users.none()


def _label(model) -> str:
    return model._meta.label_lower


def _path_condition(path: str, keys) -> Q:
    return Q(pk__in=keys) if path == "pk" else Q(**{f"{path}__in": keys})


def _is_multi_valued(model, path: str) -> bool:
    if path == "pk":
        return False
    field = model._meta.get_field(path.split("__")[0])
    return field.one_to_many or field.many_to_many


def _reaches(obj, path: str, regions: frozenset[int]) -> bool:
    """Whether ``obj``, as it is in memory (unsaved values included), reaches ``regions``."""
    if path == "pk":
        return obj.pk in regions
    name, _sep, rest = path.partition("__")
    field = obj._meta.get_field(name)
    if field.many_to_one or field.one_to_one and field.concrete:
        if not rest:
            return getattr(obj, field.attname) in regions
        if getattr(obj, field.attname) is None:
            return False
        return _reaches(getattr(obj, name), rest, regions)
    if obj.pk is None:  # a relation to many rows: only saved rows have some
        return False
    return type(obj)._base_manager.filter(pk=obj.pk).filter(_path_condition(path, regions)).exists()


class RegionalScope:
    """The rule, as ``ptce_site.scope.Scope`` asks it."""

    def limited(self, user) -> bool:
        return curated_regions(user) is not None

    def restricts(self, model) -> bool:
        return _label(model) in REGION_PATHS

    def visible(self, queryset, user, also=()):
        regions = curated_regions(user)
        paths = REGION_PATHS.get(_label(queryset.model))
        if regions is None or paths is None:
            return queryset
        condition = reduce(
            lambda left, path: left | _path_condition(path, regions), paths, Q(pk__in=list(also))
        )
        if any(_is_multi_valued(queryset.model, path) for path in paths):
            # Through a relation to many rows: a subquery, so that no row comes twice.
            inside = queryset.model._base_manager.filter(condition).values("pk")
            return queryset.filter(pk__in=inside)
        return queryset.filter(condition)

    def allows(self, obj, user) -> bool:
        regions = curated_regions(user)
        paths = REGION_PATHS.get(_label(type(obj)))
        if regions is None or paths is None:
            return True
        return any(_reaches(obj, path, regions) for path in paths)

    def may_write(self, model, user) -> bool:
        meta = model._meta
        return not self.limited(user) or (meta.app_label, meta.model_name) in REGIONAL_MODELS
