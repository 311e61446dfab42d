"""Absolute links to the site: always from ``SITE_URL``, never from the request.

Also the site's paths to a page by its slug, reversed once (``slug_path``).

The ``Host`` header is the client's to write: a link built from it (in a password-reset or an
invitation e-mail, in a page's canonical address, in the open data) could point to another
host or port, and a cached page would keep it for everyone. ``SITE_URL`` is the one address
of the site (required when DEBUG is off).
"""

import re

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# The licence of the registry's own data: declared in the datapackage.json and the OpenAPI
# schema, and stated on the pages that offer the data (the context processor gives it them).
DATA_LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence 2.0 (Etalab)",
}


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) on the site's own address."""
    return f"{settings.SITE_URL}{path}"


def localised(path: str) -> str:
    """``path`` on ``SITE_URL``, asking for the current language (French, the site's own,
    needs nothing): the feeds' and the open data's links."""
    language = get_language()
    return absolute_url(path) + ("" if language == "fr" else f"?lang={language}")


# reverse() walks the URL patterns on each call: 20 µs, 4 ms for a pole page's 180 links to
# organisations and poles. A page whose only argument is a slug is reversed once per URLconf,
# script prefix and language, with this mark (a slug itself) where the slug goes.
_SLUG_MARK = "ptce-slug-mark"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_slug_paths: dict[tuple, tuple[str, str] | None] = {}


def slug_path(viewname: str, slug: str) -> str:
    """``reverse(viewname, args=[slug])`` for a URL whose one argument is a slug."""
    if not _SLUG.match(slug):
        return reverse(viewname, args=[slug])  # its own answer, or its own error
    # The language too: a translated route (gettext_lazy in a path) would differ by language.
    key = (viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    parts = _slug_paths.get(key)
    if parts is None and key not in _slug_paths:
        path = reverse(viewname, args=[_SLUG_MARK])
        pieces = path.split(_SLUG_MARK)
        # The mark found once: the slug's place; otherwise reverse() every time.
        parts = _slug_paths[key] = (pieces[0], pieces[1]) if len(pieces) == 2 else None
    if parts is None:
        return reverse(viewname, args=[slug])
    return f"{parts[0]}{slug}{parts[1]}"
