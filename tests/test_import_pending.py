"""The file an admin import keeps between its preview and its confirmation
(``ptce_site/import_pending.py``): in django-import-export's temporary storage
(``IMPORT_EXPORT_TMP_STORAGE_CLASS``, honoured), deleted once confirmed, cancelled or refused,
and, left waiting, a day later (when the next preview is made)."""

import os
import tempfile
import time

import pytest
from django.test import Client
from import_export.tmp_storages import CacheStorage

from poles.models import Pole
from tests.factories import CuratorFactory, RegionFactory
from tests.test_import_admin import CHANGELIST, IMPORT, PROCESS, confirm, upload

pytestmark = pytest.mark.django_db

FILE = "nom;région\nPôle Nouveau;52\n".encode()
DAY = 24 * 3600


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The server's temporary folder, this test's own."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    RegionFactory(code="52", name="Pays de la Loire")
    return tmp_path


def cancel(client, preview):
    return client.post(PROCESS, {**preview.context["confirm_form"].initial, "cancel": "Annuler"})


def test_a_confirmed_or_cancelled_preview_leaves_no_file_behind(curator_client, folder):
    preview = upload(curator_client, IMPORT, FILE)
    assert len(os.listdir(folder)) == 1
    assert confirm(curator_client, preview)["Location"] == CHANGELIST
    assert os.listdir(folder) == [] and Pole.objects.count() == 1

    preview = upload(curator_client, IMPORT, "nom;région\nPôle Annulé;52\n".encode())
    assert "Annuler" in preview.content.decode()
    response = cancel(curator_client, preview)
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert os.listdir(folder) == [] and not Pole.objects.filter(name="Pôle Annulé").exists()
    page = curator_client.get(IMPORT).content.decode()
    assert "Import annulé : rien n&#x27;a été enregistré" in page
    # Cancelled means no longer waiting: a confirmation afterwards is refused.
    assert confirm(curator_client, preview)["Location"] == IMPORT
    assert not Pole.objects.filter(name="Pôle Annulé").exists()


def test_previews_left_waiting_a_day_are_deleted_when_the_next_one_is_made(
    curator_client, folder
):
    abandoned, waiting = Client(), Client()
    abandoned.force_login(CuratorFactory(username="parti"))
    waiting.force_login(CuratorFactory(username="revient"))
    upload(abandoned, IMPORT, FILE)
    (old,) = os.listdir(folder)
    os.utime(folder / old, (time.time() - DAY - 60,) * 2)
    # Another program's file of the same age, in the same folder, is not the registry's.
    foreign = folder / "tmp-autre-programme"
    foreign.write_bytes(b"x")
    os.utime(foreign, (time.time() - 2 * DAY,) * 2)
    kept = upload(waiting, IMPORT, "nom;région\nPôle Attendu;52\n".encode())

    upload(curator_client, IMPORT, "nom;région\nPôle Suivant;52\n".encode())
    assert old not in os.listdir(folder) and foreign.exists()
    assert len(os.listdir(folder)) == 3  # the foreign file and the two recent previews
    assert confirm(waiting, kept)["Location"] == CHANGELIST  # less than a day: still waiting
    assert Pole.objects.filter(name="Pôle Attendu").exists()


def test_the_libraries_temporary_storage_setting_is_honoured(curator_client, folder, settings):
    """With several nodes, a storage they share (here the cache, Redis in production): the
    file never touches the node's folder, and the guarantees hold."""
    settings.IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
    preview = upload(curator_client, IMPORT, FILE)
    name = preview.context["confirm_form"].initial["import_file_name"]
    assert os.listdir(folder) == [] and CacheStorage(name=name).read() == FILE
    assert confirm(curator_client, preview)["Location"] == CHANGELIST
    assert confirm(curator_client, preview)["Location"] == IMPORT  # once
    assert Pole.objects.count() == 1 and CacheStorage(name=name).read() is None

    preview = upload(curator_client, IMPORT, "nom;région\nPôle Annulé;52\n".encode())
    name = preview.context["confirm_form"].initial["import_file_name"]
    assert cancel(curator_client, preview)["Location"] == IMPORT
    assert CacheStorage(name=name).read() is None
