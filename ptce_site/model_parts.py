"""Pieces of model declarations shared by the apps: a check on values that may be unknown, and
the link to the account that did something."""

from __future__ import annotations

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q


def checked_when_known(rule: Q, *fields: str, name: str, message) -> models.CheckConstraint:
    """``rule`` (two counts or two dates in order) checked only when every one of ``fields``
    is known: an empty value is compared with nothing.

    The fields are given in the order of the conditions in the migrations: another order
    would be another constraint to Django, and a migration for nothing.
    """
    unknown = [Q(**{f"{field}__isnull": True}) for field in fields]
    return models.CheckConstraint(
        condition=reduce(operator.or_, [*unknown, rule]),
        name=name,
        violation_error_message=message,
    )


def account_link(verbose_name, *, related_name: str = "+", **options) -> models.ForeignKey:
    """The account that invited, decided or created: optional, and set to NULL when that
    account is deleted, so that the record outlives it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


class CountsSaves:
    """A model whose ``version`` field counts its saves, for optimistic locking of concurrent
    edits (``poles.leadership.locking``): every save of an existing row moves it, an update
    of some fields included."""

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)
