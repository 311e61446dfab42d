"""A database made before the charter had its own tables (poles 0025) keeps the dates its
poles signed: migrating makes them signatures of the charter, with a first version in their
history, and migrating back gives them to the poles again."""

import datetime

import pytest

from tests.migrations_helpers import database_at, migrate

# Schema changes on SQLite cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("poles", "0024_events")]
AFTER = [("poles", "0025_charter")]
SLUG = "charte-de-la-demarche-collective-ptce"


@pytest.fixture
def old_database():
    yield from database_at(BEFORE)


def test_the_poles_dates_become_signatures_and_back(old_database):
    Pole = old_database.get_model("poles", "Pole")
    signed = Pole.objects.create(name="Pôle Ouest", slug="pole-ouest",
                                 charter_signed_on=datetime.date(2015, 3, 2))
    Pole.objects.create(name="Pôle Est", slug="pole-est")  # never signed

    apps = migrate(AFTER).apps
    charter = apps.get_model("poles", "Charter").objects.get()
    assert (charter.slug, charter.signed_on) == (SLUG, datetime.date(2014, 9, 19))
    signatures = apps.get_model("poles", "CharterSignature").objects.all()
    assert [(s.pole_id, s.signed_on) for s in signatures] == [
        (signed.pk, datetime.date(2015, 3, 2))
    ]
    history = apps.get_model("poles", "HistoricalCharterSignature").objects.get()
    assert (history.pole_id, history.history_type) == (signed.pk, "+")
    assert "charter_signed_on" not in {f.name for f in apps.get_model("poles", "Pole")._meta.fields}

    apps = migrate(BEFORE).apps
    dates = apps.get_model("poles", "Pole").objects.order_by("slug")
    assert [(p.slug, p.charter_signed_on) for p in dates] == [
        ("pole-est", None), ("pole-ouest", datetime.date(2015, 3, 2)),
    ]
