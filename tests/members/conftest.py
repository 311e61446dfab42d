"""Fixtures of the organisations' tests."""

import pytest

from tests.factories import RegionFactory


@pytest.fixture
def regions(db):
    """Two regions, north and south, for the organisations' lists and pages."""
    return {
        "north": RegionFactory(code="32", name="Hauts-de-France", slug="hauts-de-france"),
        "south": RegionFactory(code="76", name="Occitanie", slug="occitanie"),
    }
