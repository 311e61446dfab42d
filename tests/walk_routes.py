"""The hostile URL walk's corpus and the site's URL patterns as pieces to fill (see
``tests/test_hostile_urls.py``, which walks them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote_to_bytes

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils.encoding import repercent_broken_unicode

SLOW_SECONDS = 2.0
FORM_ENCODED = "application/x-www-form-urlencoded"
# The walk is cut in slices of the URL patterns, one test each, so that pytest-xdist's workers
# share it (one test of 25 s would set the length of the whole run).
SHARES = 6
ROLES = ("anonymous", "leader", "curator")
PROJECT_PACKAGES = {"poles", "members", "calls", "ptce_site"}


def percent_encoded(text: str) -> str:
    return quote(text, safe="")


# Each value is what goes after ``name=`` in a query string or a url-encoded body, already
# percent-encoded (so that invalid UTF-8 reaches the server as raw bytes); a value with several
# items repeats the parameter.
CORPUS: dict[str, tuple[str, ...]] = {
    "nul": ("1%00",),
    "invalid-utf8": ("%FF%FE",),
    # Mostly ASCII: Python's unquoting of 10,000 percent-escapes per parameter would be most
    # of the walk's time; the accents still make its UTF-8 longer than its characters.
    "10000-characters": (percent_encoded("é" * 50 + "a" * 9_950),),
    "metacharacters": (percent_encoded("%_[]^$.*+?()\\"),),
    "huge-number": ("99999999999999999999",),
    "negative-number": ("-1",),
    "empty": ("",),
    "repeated": ("1", "2", "a%00", "%C3%28", ""),
}
CORPUS_VALUES = list(CORPUS.values())
# What each form is posted with: always a huge number (integer overflow, forged formset
# sizes: the costliest finds), and one of the others in turn.
POST_ALWAYS = ("huge-number",)
POST_IN_TURN = ("nul", "invalid-utf8", "10000-characters", "metacharacters", "repeated", "empty")

COMMON_PARAMETERS = ("q", "page", "sort", "lang", "next")
# What every admin page reads, and what its changelists read besides their list filters.
ADMIN_PARAMETERS = ("_to_field", "_popup", "_changelist_filters")
CHANGELIST_PARAMETERS = ("q", "o", "p", "e", "all")
# Path parameters: each replaces one real key at a time, the first three always, one of the
# others in turn (the values a pattern refuses are left to ``JUNK_PATHS``, which reach the 404
# page and the admin's catch-all).
HOSTILE_KEYS = ("page-inconnue", "99999999999999999999", "-1")
MORE_HOSTILE_KEYS = ("1%00", "%FF%FE", "a" * 300)
JUNK_PATHS = (
    "/%FF%FE/",
    "/poles/%00/",
    "/poles/%FF/",
    "/" + "a" * 10_000 + "/",
    "/admin/%00/",
    "/admin/poles/pole/%FF%FE/change/",
    "/api/poles.geojson/%00",
)


# -- the URL patterns ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    regex: str


@dataclass
class Route:
    """One URL pattern of the site, as literal pieces and parameters."""

    name: str
    text: str
    segments: list[str | Param]
    callback: object
    url_name: str | None

    @property
    def params(self) -> list[Param]:
        return [s for s in self.segments if isinstance(s, Param)]

    @property
    def literal_prefix(self) -> str:
        prefix = "/"
        for segment in self.segments:
            if isinstance(segment, Param):
                break
            prefix += segment
        return prefix

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")

    def build(self, values: dict[str, str]) -> str:
        return "/" + "".join(values[s.name] if isinstance(s, Param) else s for s in self.segments)

    def matches(self, path: str) -> bool:
        """Whether the site resolves ``path`` (as the server decodes it) to this pattern."""
        try:
            match = resolve(repercent_broken_unicode(unquote_to_bytes(path)).decode())
        except Resolver404:
            return False
        return match.func is self.callback and match.url_name == self.url_name


_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_SPECIAL = set(".^$*+?{}[]|()")


def _route_segments(pattern: RoutePattern) -> list[str | Param]:
    segments: list[str | Param] = []
    route = str(pattern)
    position = 0
    for match in _ROUTE_PARAMETER.finditer(route):
        segments.append(route[position : match.start()])
        name = match["parameter"]
        segments.append(Param(name, pattern.converters[name].regex))
        position = match.end()
    segments.append(route[position:])
    return segments


def _regex_segments(pattern: RegexPattern) -> list[str | Param]:
    """Literal pieces and groups of a regular expression; unnamed groups become argN."""
    regex = str(pattern.regex.pattern)
    regex = regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    segments: list[str | Param] = []
    literal = ""
    index = unnamed = 0
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            literal += regex[index + 1]
            index += 2
        elif char == "(":
            depth, end = 0, index
            while True:
                if regex[end] == "\\":
                    end += 2
                    continue
                depth += {"(": 1, ")": -1}.get(regex[end], 0)
                if depth == 0:
                    break
                end += 1
            body = regex[index + 1 : end]
            if named := re.match(r"\?P<(\w+)>", body):
                param = Param(named[1], body[named.end() :])
            else:
                param = Param(f"arg{unnamed}", body)
                unnamed += 1
            segments += [literal, param]
            literal = ""
            index = end + 1
        elif char in _REGEX_SPECIAL:
            raise ValueError(f"cannot build a URL from the regular expression {regex!r}")
        else:
            literal += char
            index += 1
    segments.append(literal)
    return segments


def _segments(pattern) -> list[str | Param]:
    if isinstance(pattern, RoutePattern):
        return _route_segments(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_segments(pattern)
    if isinstance(pattern, LocalePrefixPattern):
        return [pattern.language_prefix]
    raise TypeError(f"unknown kind of URL pattern: {pattern!r}")


def site_routes() -> list[Route]:
    """Every URL pattern under the root URLconf, the included ones (admin site) included."""
    routes = []

    def walk(entries, segments, text, namespaces):
        for entry in entries:
            here = segments + _segments(entry.pattern)
            here_text = text + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = namespaces + ([entry.namespace] if entry.namespace else [])
                walk(entry.url_patterns, here, here_text, inner)
            elif isinstance(entry, URLPattern):
                name = ":".join([*namespaces, entry.name]) if entry.name else here_text
                routes.append(Route(name, here_text, here, entry.callback, entry.name))

    walk(get_resolver().url_patterns, [], "", [])
    return routes
