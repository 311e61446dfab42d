"""Which rows a staff account may see and change: the hook through which the shared code (the
admin's site, ``admin_scope.py``; the imports, ``resources.py``) asks the registry's rule.

The rule itself (regional curators see and change the rows of their regions only) lives in
``poles/territories/scope.py``, which registers it when the poles app is ready: this package
knows no app (``tests/test_architecture.py``). Until a rule is registered, everyone sees
everything their permissions allow, as before regional curators existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db import models


class Scope(Protocol):
    def limited(self, user) -> bool:
        """Whether ``user`` sees only part of the registry (a regional curator)."""

    def restricts(self, model: type[models.Model]) -> bool:
        """Whether the rows of ``model`` are split between the scopes."""

    def visible(self, queryset: models.QuerySet, user, also: Iterable = ()) -> models.QuerySet:
        """The rows of ``queryset`` that ``user`` may see (and the keys ``also``)."""

    def allows(self, obj: models.Model, user) -> bool:
        """Whether ``obj``, as it is (saved or about to be), lies within ``user``'s scope."""

    def may_write(self, model: type[models.Model], user) -> bool:
        """Whether ``user`` may add, change or delete rows of ``model`` at all (reference data
        stays with national curators and administrators)."""


class _Everything:
    """No rule registered: nobody is limited."""

    def limited(self, user) -> bool:
        return False

    def restricts(self, model) -> bool:
        return False

    def visible(self, queryset, user, also=()):
        return queryset

    def allows(self, obj, user) -> bool:
        return True

    def may_write(self, model, user) -> bool:
        return True


_rule: Scope = _Everything()


def register(rule: Scope) -> None:
    global _rule
    _rule = rule


def scope() -> Scope:
    return _rule
