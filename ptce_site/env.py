"""Typed readers of environment variables for ``settings.py``, and the ``DATABASES`` entries
made from ``DATABASE_URL``.

Each reader refuses a bad value with a message naming the variable, instead of failing later
and elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

# The project's folder: relative paths (a SQLite file in DATABASE_URL…) are read from it.
BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_choice(name: str, choices: str) -> str:
    """One of the space-separated ``choices`` (in any case); the first one by default."""
    allowed = choices.split()
    value = env_str(name, allowed[0]).lower()
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r}: use {', '.join(allowed)}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# SQLite lets one writer at a time. Django's default deferred transactions read first and
# take the write lock only at their first write: two requests that both read the pole and then
# both write deadlock, and SQLite answers the second "database is locked" at once, without
# waiting (a 503 for a leader who should get the conflict page). BEGIN IMMEDIATE takes the
# write lock at the start of each transaction, so writers queue for up to SQLITE_TIMEOUT
# seconds instead; WAL lets pages be read while someone writes. The journal mode is kept by the
# file; running the PRAGMA on each connection costs nothing once it is set.
SQLITE_TIMEOUT = 20


def sqlite_database(path: str | Path) -> dict:
    """A ``DATABASES`` entry for the SQLite file ``path``: the same options for every file."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_TIMEOUT,
            "init_command": "PRAGMA journal_mode=WAL",
        },
    }


def database_from_url(url: str) -> dict:
    """Turn ``DATABASE_URL`` into a ``DATABASES['default']`` entry (SQLite or PostgreSQL)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                f"DATABASE_URL={url!r} names no database: postgres://user@host:5432/dbname."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} has a bad port.") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60, minimum=0),
            "CONN_HEALTH_CHECKS": True,
        }
    if scheme == "sqlite":
        # sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3
        path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        if not path:
            raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no SQLite file.")
        return sqlite_database(path if path.startswith("/") else BASE_DIR / path)
    raise ImproperlyConfigured(
        f"DATABASE_URL={url!r}: only postgres://… and sqlite:///… are supported."
    )
