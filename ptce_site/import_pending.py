"""The files an admin import keeps between its preview and its confirmation.

django-import-export writes each uploaded file to a temporary file and puts that file's name
in the confirm form, then reads, imports and deletes whatever file of the temporary folder the
posted name says. So a confirmation posted twice (a double click, the page reloaded, the
browser's back button) found no file (a 500), and a hand-made name reached any file of the
folder. Here, a file may be confirmed only by the session that previewed it, on the page
of the list it was previewed for (``kind``), once; a refused
preview's file is deleted at once, and a session keeps at most ``MAX_PENDING`` files waiting
(a preview never confirmed no longer stays on the disk for good).
"""

from __future__ import annotations

import os
import tempfile

SESSION_KEY = "pending_imports"
MAX_PENDING = 5


def _path(name: str) -> str:
    # The library's rule (TempFolderStorage.get_full_path, ConfirmImportForm's basename).
    return os.path.join(tempfile.gettempdir(), os.path.basename(name))


def discard(name: str) -> None:
    try:
        os.remove(_path(name))
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        pass


def remember(request, kind: str, name: str) -> None:
    """``name`` awaits this session's confirmation as an import of ``kind`` (the oldest beyond
    the limit deleted)."""
    entry = [kind, os.path.basename(name)]
    pending = [item for item in request.session.get(SESSION_KEY, []) if item != entry]
    pending.append(entry)
    for _kind, old in pending[:-MAX_PENDING]:
        discard(old)
    request.session[SESSION_KEY] = pending[-MAX_PENDING:]


def take(request, kind: str, name: str) -> bool:
    """Whether ``name`` awaited this session's confirmation as an import of ``kind`` and is
    still there; it no longer awaits it (a second confirmation is refused)."""
    entry = [kind, os.path.basename(name or "")]
    pending = request.session.get(SESSION_KEY, [])
    if entry not in pending:
        return False
    request.session[SESSION_KEY] = [item for item in pending if item != entry]
    return os.path.isfile(_path(entry[1]))
