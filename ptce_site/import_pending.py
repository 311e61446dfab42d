"""The files an admin import keeps between its preview and its confirmation.

django-import-export writes each uploaded file to its temporary storage
(``IMPORT_EXPORT_TMP_STORAGE_CLASS``, read through the admin's ``get_tmp_storage_class``: the
registry's ``PendingImportStorage`` unless a deployment names another, such as the library's
``CacheStorage`` for several nodes) and puts the file's name in the confirm form, then reads,
imports and deletes whatever file the posted name says. So a confirmation posted twice (a double
click, the page reloaded, the browser's back button) found no file (a 500), and a hand-made name
reached any file of the folder. Here, a file may be confirmed only by the session that
previewed it, on the page of the list it was previewed for (``kind``), once. A file is deleted
once confirmed, cancelled or refused; a session keeps at most ``MAX_PENDING`` waiting, and a
file left waiting longer than ``MAX_AGE`` (a preview never confirmed) is deleted when the next
preview is made, whoever makes it.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta

from import_export.tmp_storages import BaseStorage, TempFolderStorage

SESSION_KEY = "pending_imports"
MAX_PENDING = 5
MAX_AGE = timedelta(days=1)


class PendingImportStorage(TempFolderStorage):
    """The library's storage in the server's temporary folder, its files named
    ``ptce-import-…`` (created as ``tempfile`` does: a random name, readable by the site's user
    only), so that those left waiting can be told from other programs' files and deleted."""

    PREFIX = "ptce-import-"

    def save(self, data: bytes) -> None:
        with tempfile.NamedTemporaryFile(prefix=self.PREFIX, delete=False) as file:
            file.write(data)
        self.name = file.name

    def exists(self) -> bool:
        return os.path.isfile(self.get_full_path())

    @classmethod
    def purge(cls, older_than: timedelta) -> None:
        """Delete the site's files written more than ``older_than`` ago."""
        limit = time.time() - older_than.total_seconds()
        with os.scandir(tempfile.gettempdir()) as entries:
            for entry in entries:
                if not entry.name.startswith(cls.PREFIX):
                    continue
                try:
                    found = entry.stat(follow_symlinks=False)
                    if found.st_uid == os.getuid() and found.st_mtime < limit:
                        os.remove(entry.path)
                except OSError:  # gone meanwhile (confirmed, another worker's purge)
                    continue


def _storage(storage_class: type[BaseStorage], name: str) -> BaseStorage:
    # The name as the library's confirm form reads it (ConfirmImportForm: its base name).
    return storage_class(name=os.path.basename(name))


def _still_there(storage: BaseStorage) -> bool:
    if hasattr(storage, "exists"):
        return storage.exists()
    try:  # another storage of the library's: reading is how it tells
        return storage.read() is not None
    except OSError:
        return False


def discard(storage_class: type[BaseStorage], name: str) -> None:
    try:
        _storage(storage_class, name).remove()
    except OSError:  # already gone
        pass


def remember(request, kind: str, name: str, storage_class: type[BaseStorage]) -> None:
    """``name`` awaits this session's confirmation as an import of ``kind`` (the oldest beyond
    the limit deleted); files left waiting longer than ``MAX_AGE`` are deleted. (The library's
    ``CacheStorage`` forgets them after a day by itself; its ``TempFolderStorage`` cannot tell
    its files from other programs': it keeps them.)"""
    entry = [kind, os.path.basename(name)]
    pending = [item for item in request.session.get(SESSION_KEY, []) if item != entry]
    pending.append(entry)
    for _kind, old in pending[:-MAX_PENDING]:
        discard(storage_class, old)
    request.session[SESSION_KEY] = pending[-MAX_PENDING:]
    if purge := getattr(storage_class, "purge", None):
        purge(MAX_AGE)


def take(request, kind: str, name: str, storage_class: type[BaseStorage]) -> bool:
    """Whether ``name`` awaited this session's confirmation as an import of ``kind`` and is
    still there; it no longer awaits it (a second confirmation is refused)."""
    entry = [kind, os.path.basename(name or "")]
    pending = request.session.get(SESSION_KEY, [])
    if entry not in pending:
        return False
    request.session[SESSION_KEY] = [item for item in pending if item != entry]
    return _still_there(_storage(storage_class, entry[1]))
