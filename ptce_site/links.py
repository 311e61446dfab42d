"""Absolute links to the site: always from ``SITE_URL``, never from the request.

The ``Host`` header is the client's to write: a link built from it (in a password-reset or an
invitation e-mail, in a page's canonical address, in the open data) could point to another
host or port, and a cached page would keep it for everyone. ``SITE_URL`` is the one address
of the site (required when DEBUG is off).
"""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) on the site's own address."""
    return f"{settings.SITE_URL}{path}"
