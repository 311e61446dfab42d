"""The directory's bit sets (``poles/registry/facet_sets.py``) follow every change to the
registry, including those that another process commits (another worker, a command)."""

import pytest
from django.conf import settings
from django.test import Client

from poles.models import Pole
from poles.registry.version import registry_version
from tests.factories import PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db

DIRECTORY = "/poles/"


def listed(client: Client, **params) -> list[str]:
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    return [pole.name for pole in response.context["page_obj"].object_list]


def test_a_committed_change_moves_the_registry_version(django_capture_on_commit_callbacks):
    before = registry_version()
    with django_capture_on_commit_callbacks(execute=True):
        PoleFactory(name="Pôle des Quais")
    assert registry_version() > before


def test_a_pole_added_by_another_process_is_listed_and_counted(client):
    region = RegionFactory(name="Bretagne", slug="bretagne")
    PoleFactory(name="Pôle Armor", region=region)
    assert listed(client) == ["Pôle Armor"]
    # Another process: rows written without this process's signals (nor its cache), then
    # the version moved when its transaction committed.
    Pole.objects.bulk_create([
        Pole(name="Pôle Argoat", slug="pole-argoat", region=region, is_published=True,
             summary="Un pôle venu d'ailleurs.")
    ])
    from poles.registry.version import _move

    _move()
    assert listed(client) == ["Pôle Argoat", "Pôle Armor"]
    regions = client.get(DIRECTORY).context["filter"].form.fields["region"].widget.counts
    assert regions["bretagne"] == 2



class DownCache:
    """Redis down: every call fails as django's RedisCache does."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to redis. Connection refused.")

        return fail


def test_the_directory_still_answers_when_the_cache_is_down(client, settings, monkeypatch):
    """Redis down: the page cache serves pages uncached (``ptce_site.cache``); the directory's
    sets, which read the registry's generation there, must not fail the page either, and
    still follow committed changes (the registry's version)."""
    settings.PAGE_CACHE_SECONDS = 600
    PoleFactory(name="Pôle Armor")
    monkeypatch.setattr("ptce_site.cache.cache", DownCache())
    assert listed(client) == ["Pôle Armor"]
    Pole.objects.bulk_create([Pole(name="Pôle Argoat", slug="pole-argoat", is_published=True)])
    from poles.registry.version import _move

    _move()  # the commit of the change
    assert listed(client) == ["Pôle Argoat", "Pôle Armor"]


def test_a_pole_published_while_the_sets_are_read_fails_no_page(client, monkeypatch):
    """A write committed by another connection between the queries that read the sets: the
    poles and their orders come from one statement, so the page still adds up (the version
    then moves, and the next page reads the sets again)."""
    from poles.registry import facet_sets

    PoleFactory(name="Pôle Armor")
    hidden = PoleFactory(name="Pôle Argoat", is_published=False)
    collector = facet_sets._Collector.__init__

    def published_meanwhile(self, ids):
        Pole.objects.filter(pk=hidden.pk).update(is_published=True)  # no signal: another's
        collector(self, ids)

    monkeypatch.setattr(facet_sets._Collector, "__init__", published_meanwhile)
    for sort in ["name", "-updated", "founded"]:
        response = client.get(DIRECTORY, {"sort": sort})
        assert response.status_code == 200
        page = response.context["page_obj"]
        assert page.paginator.count == len(page.object_list) == 1


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite's in-memory test database shares one cache between its connections, where a "
    "reader and a writer meeting fail at once (\"database table is locked\"): not what a "
    "database file does, which waits (busy timeout, WAL)",
)
@pytest.mark.django_db(transaction=True)
def test_threads_reading_the_sets_while_poles_are_published_agree_in_the_end():
    """Readers building the sets at once, each on its own connection, while a writer
    publishes poles one commit at a time: no reader fails, each sees a consistent registry
    (every pole of its sets in each order), and once the writes are over every reader sees
    them all."""
    import threading

    from poles.registry.facet_sets import pole_sets

    poles = [PoleFactory(name=f"Pôle {n}", is_published=False) for n in range(12)]
    errors, seen = [], []

    def read(times: int) -> None:
        from django.db import connection

        try:
            for _ in range(times):
                sets = pole_sets()
                assert all(sorted(order) == list(range(len(sets.ids)))
                           for order in sets.orders.values())
                seen.append(len(sets.ids))
        except Exception as error:  # reported below, from the main thread
            errors.append(error)
        finally:
            connection.close()

    def write() -> None:
        from django.db import connection

        try:
            for pole in poles:
                pole.is_published = True
                pole.save()
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(15,)) for _ in range(4)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(pole_sets().ids) == len(poles)


def test_a_failure_to_move_the_version_after_a_commit_is_logged_not_raised(monkeypatch, caplog):
    """The change is committed already: the write must not answer an error."""
    from django.db import DatabaseError

    from poles.registry import version

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(version.RegistryVersion.objects, "filter", broken)
    version._move()
    assert "could not be moved" in caplog.text
