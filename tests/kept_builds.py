"""What every test process builds the same way at each run, kept under ``.cache/`` between
runs, as the database templates are (tests/database_template.py): made once for a digest of
everything it is made from, then read by the processes of this run and of the next ones.

- ``production_static_folder()``: ``collectstatic`` with the production storage (hashed and
  compressed names), 1.2 to 1.5 s of CPU per test process that serves them
  (``production_static_root`` in tests/conftest.py). Its digest covers every file the finders
  list (their contents), the storage, STATIC_URL and the versions of Django and whitenoise:
  a file edited, added or removed, or an upgrade, gives another folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import django
from django.conf import settings

KEPT = Path(settings.BASE_DIR) / ".cache"


def kept_folder(kind: str, digest: str, build: Callable[[Path], None]) -> Path:
    """``.cache/<kind>/<digest>``, made by ``build(folder)`` if it is not there yet: into a
    folder of this process's own, then renamed (two processes building it at once each make
    a whole one, the second rename fails and its copy is dropped). The folders of other
    digests are removed then: made from files that have changed since, or left half-built
    by an interrupted run."""
    root = KEPT / kind
    target = root / digest
    if target.is_dir():  # whole: only a finished build is renamed to it
        return target
    partial = root / f"{digest}.{os.getpid()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    build(partial)
    try:
        os.rename(partial, target)
    except OSError:  # made meanwhile by another process (a non-empty folder is not replaced)
        shutil.rmtree(partial, ignore_errors=True)
    for other in root.iterdir():
        if not other.name.startswith(digest):  # this digest's copies being built are kept
            shutil.rmtree(other, ignore_errors=True)
    return target


def static_files_digest(storage_backend: str) -> str:
    """A digest of what ``collectstatic`` makes with ``storage_backend``: every file the
    finders list, with its contents (about 200 files, 4 MB: 10 ms)."""
    from django.contrib.staticfiles import finders

    digest = hashlib.sha256()
    for part in (django.__version__, version("whitenoise"), storage_backend, settings.STATIC_URL):
        digest.update(f"{part}\0".encode())
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            with storage.open(path) as file:
                digest.update(f"{path}\0".encode() + file.read() + b"\0")
    return digest.hexdigest()[:20]
