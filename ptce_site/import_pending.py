"""The files an admin import keeps between its preview and its confirmation.

django-import-export writes each uploaded file to a temporary file and puts that file's name
in the confirm form, then reads, imports and deletes whatever file of the temporary folder the
posted name says. So a confirmation posted twice (a double click, the page reloaded, the
browser's back button) found no file (a 500), and a hand-made name reached any file of the
folder. Here, a file may be confirmed only by the session that previewed it, once; a refused
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


def remember(request, name: str) -> None:
    """``name`` awaits this session's confirmation (the oldest beyond the limit deleted)."""
    pending = [item for item in request.session.get(SESSION_KEY, []) if item != name]
    pending.append(os.path.basename(name))
    for old in pending[:-MAX_PENDING]:
        discard(old)
    request.session[SESSION_KEY] = pending[-MAX_PENDING:]


def take(request, name: str) -> bool:
    """Whether ``name`` awaited this session's confirmation and is still there; it no longer
    awaits it (a second confirmation is refused)."""
    name = os.path.basename(name or "")
    pending = request.session.get(SESSION_KEY, [])
    if name not in pending:
        return False
    request.session[SESSION_KEY] = [item for item in pending if item != name]
    return os.path.isfile(_path(name))
