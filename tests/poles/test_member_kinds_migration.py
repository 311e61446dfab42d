"""A database made before the kinds of members had their day (poles 0028) gets it: migrating
writes every pole's kinds of current members again with the latest departure date of those
members (none when one has none), and migrating back leaves the kinds of current members."""

import datetime

import pytest
from django.utils import timezone

from tests.migrations_helpers import database_at, migrate

# Schema changes on SQLite cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("poles", "0027_source_order")]
AFTER = [("poles", "0028_member_kinds_dated")]
TODAY = timezone.localdate()
MODELS = ("poles.Pole", "members.Organisation", "members.Membership", "poles.MemberKind")


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


@pytest.fixture
def old_database():
    yield from database_at(BEFORE)


def test_the_kinds_of_members_get_their_day_and_lose_it(old_database):
    Pole, Organisation, Membership, MemberKind = (
        old_database.get_model(label) for label in MODELS
    )
    pole = Pole.objects.create(name="Pôle Ouest", slug="pole-ouest")
    for number, (kind, left_on) in enumerate([
        ("local_authority", days(1)), ("local_authority", days(30)),  # both leave
        ("ess", None), ("ess", days(2)),  # one stays
        ("sme", days(-1)),  # left yesterday
    ]):
        organisation = Organisation.objects.create(name=f"O{number}", slug=f"o{number}",
                                                   kind=kind)
        Membership.objects.create(pole=pole, organisation=organisation, left_on=left_on)
    # As the indexer kept them: the kinds of current members, without their day.
    MemberKind.objects.bulk_create(
        [MemberKind(pole=pole, kind=kind) for kind in ("local_authority", "ess")]
    )

    apps = migrate(AFTER).apps
    kinds = apps.get_model("poles", "MemberKind").objects
    assert set(kinds.values_list("pole_id", "kind", "left_on")) == {
        (pole.pk, "local_authority", days(30)), (pole.pk, "ess", None),
    }

    # Some day later, the local authorities have left, and no reindex happened yet.
    kinds.filter(kind="local_authority").update(left_on=TODAY)
    apps = migrate(BEFORE).apps
    kinds = apps.get_model("poles", "MemberKind").objects
    assert set(kinds.values_list("pole_id", "kind")) == {(pole.pk, "ess")}
