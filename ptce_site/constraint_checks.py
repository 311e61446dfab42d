"""A model's constraints checked for one row of a bulk import, the check constraints in Python.

Django checks a ``CheckConstraint`` by asking the database (``Q.check()``: a savepoint, a
``SELECT`` and its release, three statements); a pole has five, so that an import of 1,000
poles spent most of its queries on them. Their conditions here are plain comparisons of a
row's own fields (``latitude__gte=-90``, ``left_on__gte=F("joined_on")``, ``__isnull``), which
``condition_holds()`` evaluates on the instance with SQL's three-valued logic (a comparison
with NULL is unknown, and a check passes unless its condition is false). Any other condition
(a function, a join) is still asked of the database, by Django. The database keeps every
constraint anyway: this only decides which message the import's preview shows, and when.
"""

from __future__ import annotations

import operator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q

# Unknown in SQL's sense (a comparison with NULL); distinct from "cannot say here".
UNKNOWN = None
UNSUPPORTED = object()
COMPARISONS = {
    "exact": operator.eq,
    "gte": operator.ge,
    "lte": operator.le,
    "gt": operator.gt,
    "lt": operator.lt,
}


def _field_value(instance: models.Model, name: str, used: set[str]):
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return UNSUPPORTED
    if not field.concrete or field.many_to_many:
        return UNSUPPORTED
    used.add(field.name)
    return getattr(instance, field.attname)


def _lookup(instance: models.Model, lookup: str, expected, used: set[str]):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    value = _field_value(instance, name, used)
    if value is UNSUPPORTED or (kind not in COMPARISONS and kind != "isnull"):
        return UNSUPPORTED
    if kind == "isnull":
        return (value is None) == bool(expected)
    if isinstance(expected, F):
        expected = _field_value(instance, expected.name, used)
        if expected is UNSUPPORTED:
            return UNSUPPORTED
    elif hasattr(expected, "resolve_expression"):
        return UNSUPPORTED
    if value is None or expected is None:
        return UNKNOWN
    return COMPARISONS[kind](value, expected)


def condition_holds(condition: Q, instance: models.Model, used: set[str]):
    """True, False, UNKNOWN (NULL) or UNSUPPORTED; ``used`` gets the fields it read."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            result = condition_holds(child, instance, used)
        elif isinstance(child, tuple) and len(child) == 2:
            result = _lookup(instance, child[0], child[1], used)
        else:
            result = UNSUPPORTED
        if result is UNSUPPORTED:
            return UNSUPPORTED
        results.append(result)
    if condition.connector == Q.OR:
        combined = True if True in results else (UNKNOWN if UNKNOWN in results else False)
    else:
        combined = False if False in results else (UNKNOWN if UNKNOWN in results else True)
    if condition.negated and combined is not UNKNOWN:
        return not combined
    return combined


def validate_constraints(instance: models.Model, exclude: set[str], using: str) -> dict:
    """``Model.validate_constraints()``, returning its errors by field, the check constraints
    that compare the row's own fields evaluated here."""
    errors: dict = {}
    for constraint in instance._meta.constraints:
        used: set[str] = set()
        held = UNSUPPORTED
        if isinstance(constraint, models.CheckConstraint):
            held = condition_holds(constraint.condition, instance, used)
        try:
            if held is UNSUPPORTED:
                constraint.validate(type(instance), instance, exclude=exclude, using=using)
            elif held is False and not used & exclude:
                raise ValidationError(
                    constraint.get_violation_error_message(),
                    code=constraint.violation_error_code,
                )
        except ValidationError as error:
            fields = getattr(constraint, "fields", ())
            if getattr(error, "code", None) == "unique" and len(fields) == 1:
                errors.setdefault(fields[0], []).append(error)
            else:
                errors = error.update_error_dict(errors)
    return errors
