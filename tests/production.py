"""Running code under the production settings (DEBUG off, HTTPS redirect, secure cookies), in a
fresh interpreter: settings are read once per process."""

from __future__ import annotations

import os
import subprocess
import sys

from ptce_site.settings import BASE_DIR

# The test run's own switches, which production does not have (the browser tests allow
# async-unsafe ORM calls; some tests turn the HTTPS settings off).
TEST_SWITCHES = {
    "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
}


def production_environment(**overrides: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in TEST_SWITCHES}
    environment.update(
        DEBUG="false",
        SECRET_KEY="x7Qv-production-like-secret-key-for-the-tests-0123456789abcdefghijkl",
        ALLOWED_HOSTS="ptce.example.org",
        SITE_URL="https://ptce.example.org",
        PLAIN_STATICFILES="true",
        DJANGO_SETTINGS_MODULE="ptce_site.settings",
    )
    environment.update(overrides)
    return environment


def run(command: list[str], **overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=BASE_DIR, env=production_environment(**overrides),
        capture_output=True, text=True, timeout=120,
    )


def run_python(code: str, **overrides: str) -> subprocess.CompletedProcess:
    """``code`` after ``django.setup()``, under the production settings."""
    return run([sys.executable, "-c", "import django; django.setup()\n" + code], **overrides)
