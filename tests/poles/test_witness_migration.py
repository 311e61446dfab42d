"""A database made while « pôle témoin » was yes or no (before poles 0029): its False meant
"nobody said" as well as "no". Migrating keeps a False only where the source says it (the
2013 laureates that the announcement does not mark as witness poles) or where a person turned
a yes into a no (the pole's history says who), in the poles and in their history; every other
False becomes "not known". Migrating back makes "not known" False again."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.migrations_helpers import database_at, migrate

# Schema changes on SQLite cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("poles", "0028_member_kinds_dated")]
AFTER = [("poles", "0029_witness_not_known")]
SEED, IMPORT = None, "Import du fichier poles.csv"  # a version without author or reason


@pytest.fixture
def old_database():
    yield from database_at(BEFORE)


def make_pole(apps, slug: str, versions: list[tuple[bool, str | None, object]]):
    """A pole whose history is ``versions`` (witness, change reason, author), oldest first;
    the pole holds the last one's value."""
    Pole = apps.get_model("poles", "Pole")
    History = apps.get_model("poles", "HistoricalPole")
    pole = Pole.objects.create(name=slug, slug=slug, is_witness=versions[-1][0])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for number, (witness, reason, author) in enumerate(versions):
        History.objects.create(
            id=pole.pk, name=slug, slug=slug, status=pole.status, is_witness=witness,
            is_published=False, version=number + 1, updated_at=start,
            history_date=start + datetime.timedelta(days=number),
            history_type="+" if number == 0 else "~",
            history_change_reason=reason, history_user=author,
        )
    return pole


def test_a_false_nobody_stated_becomes_not_known_and_back(old_database):
    apps = old_database
    person = apps.get_model("auth", "User").objects.create(username="claire")
    poles = {
        # The announcement says no: a 2013 laureate not marked as a witness pole.
        "le-damier": [(False, SEED, None)],
        # No document says it of a 2011 example; an unticked box said nothing either.
        "sicoval": [(False, SEED, None)],
        "pole-cree-par-claire": [(False, None, person), (False, None, person)],
        # Turned from yes to no by a person, then kept; by the team's import.
        "pole-devenu-non": [(True, SEED, None), (False, None, person), (False, None, person)],
        "pole-importe-non": [(True, SEED, None), (False, IMPORT, None)],
        # Turned to no by the seed's load, which states nothing; no again after a yes.
        "pole-remis-par-le-seed": [(True, SEED, None), (False, SEED, None)],
        "pole-oui-non-oui-non": [(True, SEED, None), (False, None, person),
                                 (True, None, person), (False, SEED, None)],
        "pole-temoin": [(True, SEED, None)],
    }
    made = {slug: make_pole(apps, slug, versions) for slug, versions in poles.items()}

    apps = migrate(AFTER).apps
    Pole = apps.get_model("poles", "Pole")
    History = apps.get_model("poles", "HistoricalPole")
    assert dict(Pole.objects.values_list("slug", "is_witness")) == {
        "le-damier": False, "sicoval": None, "pole-cree-par-claire": None,
        "pole-devenu-non": False, "pole-importe-non": False, "pole-remis-par-le-seed": None,
        "pole-oui-non-oui-non": None, "pole-temoin": True,
    }

    def history(slug):
        versions = History.objects.filter(id=made[slug].pk).order_by("history_date")
        return [version.is_witness for version in versions]

    assert history("le-damier") == [False]
    assert history("pole-cree-par-claire") == [None, None]
    assert history("pole-devenu-non") == [True, False, False]
    assert history("pole-oui-non-oui-non") == [True, False, True, None]
    assert history("pole-remis-par-le-seed") == [True, None]
    assert Pole._meta.get_field("is_witness").null

    apps = migrate(BEFORE).apps
    Pole = apps.get_model("poles", "Pole")
    History = apps.get_model("poles", "HistoricalPole")
    assert set(Pole.objects.values_list("is_witness", flat=True)) == {True, False}
    assert not History.objects.filter(is_witness__isnull=True).exists()


def test_a_sourced_no_survives_a_new_identifier_given_by_a_person(old_database):
    """The source's « non » follows the pole, not its identifier: a curator who gave one of
    the 2013 laureates a clearer identifier (its history keeps the old one) has not made the
    announcement say nothing of it."""
    apps = old_database
    person = apps.get_model("auth", "User").objects.create(username="claire")
    pole = make_pole(apps, "cis-dt-52", [(False, SEED, None)])
    pole.slug = "cis-dt-52-chaumont"
    pole.save()
    renamed = datetime.datetime(2024, 2, 1, tzinfo=datetime.UTC)
    apps.get_model("poles", "HistoricalPole").objects.create(
        id=pole.pk, name=pole.name, slug=pole.slug, status=pole.status, is_witness=False,
        is_published=False, version=2, updated_at=renamed, history_date=renamed,
        history_type="~", history_user=person,
    )
    make_pole(apps, "pole-renomme", [(False, SEED, None)])

    apps = migrate(AFTER).apps
    Pole = apps.get_model("poles", "Pole")
    assert dict(Pole.objects.values_list("slug", "is_witness")) == {
        "cis-dt-52-chaumont": False, "pole-renomme": None,
    }
    History = apps.get_model("poles", "HistoricalPole")
    versions = History.objects.filter(id=pole.pk).order_by("history_date")
    assert [version.is_witness for version in versions] == [False, False]


def test_pages_cached_before_the_migration_are_not_served_after_it(old_database, settings):
    """The migration writes with ``update()``, which tells the page cache nothing: a page a
    visitor cached just before the deployment would go on saying « non » for the cache's
    lifetime. Any migrate that applies something makes every cached page stale."""
    settings.PAGE_CACHE_SECONDS = 600
    pole = make_pole(old_database, "sicoval", [(False, SEED, None)])
    type(pole).objects.filter(pk=pole.pk).update(is_published=True)
    url = reverse("poles:api-poles-list")

    def witness():
        response = Client().get(url)
        return response.get("X-Page-Cache"), [row["witness"] for row in response.json()["poles"]]

    assert witness() == ("miss", [False])
    assert witness() == ("hit", [False])
    call_command("migrate", "poles", AFTER[0][1], verbosity=0)
    assert witness() == ("miss", [None])
    call_command("migrate", verbosity=0)  # nothing to apply: the cache is left alone
    assert witness() == ("hit", [None])
