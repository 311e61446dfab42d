"""The import's check constraints evaluated in Python (ptce_site/constraint_checks.py) say what
the database says, for every check of the models an import writes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CheckConstraint
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Membership
from poles.models import Pole
from ptce_site.constraint_checks import UNSUPPORTED, condition_holds, validate_constraints

pytestmark = pytest.mark.django_db

maybe_float = st.none() | st.floats(min_value=-400, max_value=400, allow_nan=False)
maybe_year = st.none() | st.integers(min_value=1800, max_value=2100)
SHARED_DATABASE = [HealthCheck.function_scoped_fixture]
maybe_date = st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 1, 1))


def database_says(constraint: CheckConstraint, instance) -> bool:
    """Django's own check: the condition asked of the database."""
    try:
        constraint.validate(type(instance), instance, using=connection.alias)
    except ValidationError:
        return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=SHARED_DATABASE)
@given(latitude=maybe_float, longitude=maybe_float, year=maybe_year)
def test_each_check_of_a_pole_is_judged_as_the_database_judges_it(latitude, longitude, year):
    pole = Pole(latitude=latitude, longitude=longitude, founded_year=year)
    for constraint in Pole._meta.constraints:
        held = condition_holds(constraint.condition, pole, set())
        assert held is not UNSUPPORTED, constraint.name
        assert (held is not False) == database_says(constraint, pole), constraint.name


@settings(max_examples=40, deadline=None, suppress_health_check=SHARED_DATABASE)
@given(joined=maybe_date, left=maybe_date)
def test_a_memberships_dates_are_judged_as_the_database_judges_them(joined, left):
    membership = Membership(joined_on=joined, left_on=left)
    for constraint in Membership._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            held = condition_holds(constraint.condition, membership, set())
            assert (held is not False) == database_says(constraint, membership)


def test_a_violated_check_gives_its_message_unless_its_field_is_excluded():
    pole = Pole(latitude=45.0, longitude=None)
    errors = validate_constraints(pole, set(), connection.alias)
    assert errors and all(errors.values())
    assert validate_constraints(pole, {"latitude", "longitude"}, connection.alias) == {}
