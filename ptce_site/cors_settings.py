"""The open data's CORS headers, by django-cors-headers (``corsheaders.middleware``, high in
``MIDDLEWARE``): kept out of ``settings.py``, which takes every ``CORS_*`` name from here
(``__all__``). The library adds the headers to every answer of a matching address, whoever
made it (a view, the 304 of ``ConditionalGetMiddleware``, the slash redirect of
``CommonMiddleware``, an error), and answers the browser's preflight itself.
"""

from __future__ import annotations

import re

__all__ = [
    "CORS_ALLOW_ALL_ORIGINS",
    "CORS_ALLOW_CREDENTIALS",
    "CORS_ALLOW_HEADERS",
    "CORS_ALLOW_METHODS",
    "CORS_EXPOSE_HEADERS",
    "CORS_PREFLIGHT_MAX_AGE",
    "CORS_URLS_REGEX",
]

# The open data read by a partner site's script from its own origin (django-cors-headers): the
# one home of which addresses say ``Access-Control-Allow-Origin: *``, with their 304s, their
# redirects to the address with a final slash, their errors and their preflights. Public data
# without credentials (no cookie, no session). It opens, and only these:
# the JSON API /api/v1/ but its HTML documentation page /api/v1/docs/; the GeoJSON and JSON
# files under /api/ (not the HTML page /api/ itself) and the data package; the directory's
# exports and their Table Schema; the Atom feeds (poles, a region's poles, calls); the
# statistics' and yearly indicators' CSV files. The admin, the leaders' space, the accounts,
# the forms and every HTML page stay closed: an address is opened here, never in a view.
CORS_URLS_REGEX = re.compile(
    r"""^/(
        api/v1/(?!docs/$)
      | api/(regions\.geojson|poles\.geojson|poles\.json|datapackage\.json)$
      | poles/export\.(csv|geojson|schema\.json)$
      | (poles/|regions/[^/]+/|appels/)flux\.atom$
      | statistiques/[^/]+\.csv$
    )""",
    re.VERBOSE,
)
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD")
# A conditional request's headers: a script revalidates a file with its ETag or date.
CORS_ALLOW_HEADERS = ("If-None-Match", "If-Modified-Since")
# A script reads only the safelisted headers unless told: the ETag to revalidate with, the
# 429's wait.
CORS_EXPOSE_HEADERS = ("ETag", "Retry-After")
CORS_PREFLIGHT_MAX_AGE = 86400
