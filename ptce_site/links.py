"""Absolute links to the site: always from ``SITE_URL``, never from the request.

The ``Host`` header is the client's to write: a link built from it (in a password-reset or an
invitation e-mail, in a page's canonical address, in the open data) could point to another
host or port, and a cached page would keep it for everyone. ``SITE_URL`` is the one address
of the site (required when DEBUG is off).
"""

from django.conf import settings
from django.utils.translation import get_language


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) on the site's own address."""
    return f"{settings.SITE_URL}{path}"


def localised(path: str) -> str:
    """``path`` on ``SITE_URL``, asking for the current language (French, the site's own,
    needs nothing): the feeds' and the open data's links."""
    language = get_language()
    return absolute_url(path) + ("" if language == "fr" else f"?lang={language}")
