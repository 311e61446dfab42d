"""Fixtures that several test modules share (loaded by ``tests/conftest.py``'s
``pytest_plugins``): the region a visitor proposes a pole in, and the reference rows the
import files name."""

import pytest

from tests.factories import RegionFactory, SectorFactory


@pytest.fixture
def region(db):
    """The region of the proposals and their poles."""
    return RegionFactory(code="52", name="Pays de la Loire", slug="pays-de-la-loire")


@pytest.fixture
def reference(db):
    """The regions and sectors that the import files of the tests name."""
    RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="auvergne-rhone-alpes")
    RegionFactory(code="53", name="Bretagne", slug="bretagne")
    SectorFactory(name="Agriculture", slug="agriculture")
    SectorFactory(name="Bois", slug="bois")
