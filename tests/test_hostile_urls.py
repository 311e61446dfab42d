"""Every URL pattern of the site, walked with hostile values: never a 500, never a traceback in
the page, never a response slower than 2 s in-process (issue #10, "What must also hold").

Nothing here lists the site's pages, so that a new page is walked without editing this file:

- **URLs**: every ``URLPattern`` under ``get_resolver().url_patterns``, walked recursively (the
  admin site's patterns included, its regular expressions and catch-all too). Each path
  parameter is filled with a real key (a slug among those of every model with one: the first
  that a visitor gets a 200 for; the id of a real row of the admin's model; a real invitation
  or password-reset token...) and, one parameter at a time, with hostile keys (unknown slug,
  huge and negative ids, and in turn NUL, invalid UTF-8, 300 characters). A pattern whose
  parameters the walker cannot fill fails ``test_every_url_pattern_is_reached_with_real_keys``,
  which says what to teach ``real_keys()``; a pattern shadowed by an earlier one with the same
  route (a project view replacing one of Django's) cannot be reached and is skipped.
- **Query parameters**: a fixed set any page may meet (``q``, ``page``, ``sort``, ``lang``,
  ``next``); on the public pages the fields of every FilterSet of the project
  (``poles/registry/filters.py``, ``members/filters.py``...); on the admin's ``_to_field``,
  ``_popup``, ``_changelist_filters`` and, on changelists, ``q``, ``o``, ``p``, ``e``, ``all``
  and the parameters of the list filters and date hierarchy (``expected_parameters()`` of the
  changelist's filter specs); plus what the pages show: the fields of the forms that target the
  URL (the admin's add page takes them as initial values) and the parameters of the links to it.
- **Form fields (POST)**: the ``<input>``, ``<select>``, ``<textarea>`` and ``<button>`` names
  of every form seen on the pages walked, posted to the form's action by the visitors who saw
  it (so the header's language and logout forms are posted too); a page without a form gets one
  POST of the common parameters.
- **Who**: an anonymous visitor, a pole leader (``alice``) and a curator (``curator``).
- **Sampling**, to stay fast (about 3,000 requests): each URL is asked plainly by each visitor;
  one visitor to whom it answers 200 then sends each parameter alone (a value refused early,
  with a 400 or a redirect, would hide the others), then all the parameters that were not
  refused at once, so that every value of the corpus goes to the URL at least once; each other
  visitor sends all the parameters at once with one value (on the admin, only those it lets
  in: the others meet the same login redirect). Each form is posted with a huge number and one
  other value in turn; deletions are posted last. A page asked plainly while its real keys
  were chosen is not asked again (its answer is read instead): nothing was posted in between.

The requests go through Django's test client with ``raise_request_exception=False`` (a view
that raises answers the site's 500 page, as in production); CSRF checks are off, so that the
posts reach the views. The tests at the end pin each defect the walk found.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urljoin, urlsplit

import django_filters
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone
from django.utils.encoding import force_bytes, repercent_broken_unicode
from django.utils.http import urlsafe_base64_encode

from members.models import Membership, Organisation
from poles.models import ClaimRequest, Invitation, Pole, PoleProposal, YearlyIndicators
from ptce_site.forms import BoundedInlineFormSet
from tests.factories import (
    ApplicationFactory,
    CharterSignatureFactory,
    CommuneFactory,
    EventFactory,
    FormerRegionFactory,
    MembershipFactory,
    MilestoneFactory,
    PoleFactory,
    SectorFactory,
    SourceDocumentFactory,
)

# These tests read no context: templates render as in production (a fifth of the walk's time
# went to the test environment's instrumentation).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_templates")]

SLOW_SECONDS = 2.0
FORM_ENCODED = "application/x-www-form-urlencoded"
# The walk is cut in slices of the URL patterns, one test each, so that pytest-xdist's workers
# share it (one test of 25 s would set the length of the whole run).
SHARES = 6
ROLES = ("anonymous", "leader", "curator")
PROJECT_PACKAGES = {"poles", "members", "calls", "ptce_site"}


def _q(text: str) -> str:
    return quote(text, safe="")


# Each value is what goes after ``name=`` in a query string or a url-encoded body, already
# percent-encoded (so that invalid UTF-8 reaches the server as raw bytes); a value with several
# items repeats the parameter.
CORPUS: dict[str, tuple[str, ...]] = {
    "nul": ("1%00",),
    "invalid-utf8": ("%FF%FE",),
    # Mostly ASCII: Python's unquoting of 10,000 percent-escapes per parameter would be most
    # of the walk's time; the accents still make its UTF-8 longer than its characters.
    "10000-characters": (_q("é" * 50 + "a" * 9_950),),
    "metacharacters": (_q("%_[]^$.*+?()\\"),),
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


# -- the data the walk needs -----------------------------------------------------------------------


@dataclass
class SiteData:
    """Real rows of every kind, with the keys that fill the URL patterns."""

    pole: Pole
    users: dict[str, object]
    invitation_token: str
    rows: dict[type, object] = field(default_factory=dict)

    def row(self, model):
        if model not in self.rows:
            self.rows[model] = model._default_manager.order_by("pk").first()
        return self.rows[model]

    def slug_candidates(self) -> list[str]:
        """The pole's slug first, then one slug of every model that has one."""
        from django.apps import apps

        slugs = [self.pole.slug]
        for model in apps.get_models():
            if any(f.name == "slug" for f in model._meta.fields):
                row = self.row(model)
                if row is not None and row.slug not in slugs:
                    slugs.append(row.slug)
        return slugs


@pytest.fixture
def site_data(pole, alice, curator, stranger) -> SiteData:
    """A small registry with a row in every table the admin shows."""
    pole.is_published = True
    pole.territory = "Pays d'Arles"
    pole.save()
    pole.sectors.set(SectorFactory.create_batch(2))
    pole.sources.add(SourceDocumentFactory())
    former_region = FormerRegionFactory(region=pole.region)
    CommuneFactory(region=pole.region)
    MembershipFactory(pole=pole)
    application = ApplicationFactory(pole=pole, former_region=former_region)
    MilestoneFactory(call=application.call)
    hidden = PoleFactory(name="Pôle caché", is_published=False)
    event = EventFactory(date_precision="year", start_date=date(2013, 1, 1))
    YearlyIndicators.objects.create(
        pole=pole, year=timezone.localdate().year - 1, jobs_fte=5, status="checked"
    )
    event.poles.add(pole, hidden)
    event.organisers.add(Organisation.objects.first())
    # The charter with a pole and a network among its signatories (#15).
    CharterSignatureFactory(pole=pole)
    CharterSignatureFactory(organisation=Organisation.objects.first())

    invitation = Invitation(
        pole=pole,
        email="nadia@example.org",
        user=stranger,
        invited_by=curator,
        expires_at=timezone.now() + timedelta(days=7),
    )
    token = invitation.new_token()
    invitation.save()
    ClaimRequest.objects.create(
        pole=pole, name="Nadia", role="Coordinatrice", email="nadia@example.org"
    )
    proposal = PoleProposal(
        name="Pôle proposé",
        region=pole.region,
        proposer_name="Lucie",
        proposer_email="lucie@example.org",
        status=PoleProposal.Status.PENDING,
        confirmed_at=timezone.now(),
    )
    proposal.new_token()
    proposal.save()
    seen = {
        "user_agent": "test",
        "ip_address": "192.0.2.1",
        "username": "inconnu",
        "http_accept": "text/html",
        "path_info": "/compte/login/",
    }
    AccessAttempt.objects.create(**seen, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen)
    AccessFailureLog.objects.create(**seen)
    return SiteData(
        pole=pole,
        users={"leader": alice, "curator": curator},
        invitation_token=token,
        rows={Pole: pole},
    )


@pytest.fixture(autouse=True)
def _api_unthrottled(settings):
    """The JSON API's throttle would answer 429 to most of the walk's requests, which would
    then never reach the views with their hostile values."""
    settings.API_THROTTLE_RATE = "1000000/min"


@pytest.fixture(autouse=True)
def _quiet_logs():
    """Thousands of 4xx answers would each log a warning (with a traceback for 400 and 403):
    slow, and noise. Server errors, which are what this walk looks for, are still logged."""
    import logging

    quiet = {
        "django.request": logging.ERROR,
        "django.security": logging.CRITICAL,
        "axes": logging.ERROR,
    }
    loggers = [logging.getLogger(name) for name in quiet]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(quiet[logger.name])
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def admin_model(route: Route):
    """The model whose admin pages the route belongs to (from the changelist's URL)."""
    from django.urls import reverse

    best = None
    for model in admin.site._registry:
        prefix = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        if route.literal_prefix.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), model)
    return best[1] if best else None


def real_keys(route: Route, data: SiteData) -> list[dict[str, str]]:
    """Candidate fillings of the route's parameters with real keys (one or more to try)."""
    model = admin_model(route) if route.is_admin else None
    names = {p.name for p in route.params}
    single: dict[str, list[str]] = {}
    for name in names:
        if model is not None and name in {"object_id", "id", "pk", "arg0"}:
            single[name] = [str(data.row(model).pk)]
        elif model is not None and name == "arg1" and hasattr(model, "history"):
            single[name] = [str(data.row(model).history.latest().history_id)]
        elif name == "object_id":  # the admin's "view on site"
            single[name] = [str(data.pole.pk)]
        elif name == "content_type_id":
            single[name] = [str(ContentType.objects.get_for_model(Pole).pk)]
        elif name == "uidb64":
            single[name] = [urlsafe_base64_encode(force_bytes(data.users["leader"].pk))]
        elif name == "token" and "uidb64" in names:
            single[name] = [default_token_generator.make_token(data.users["leader"])]
        elif name == "token":
            single[name] = [data.invitation_token]
        elif name == "slug":
            single[name] = data.slug_candidates()
        elif name == "app_label":
            single[name] = [data.pole._meta.app_label]
        elif name == "url":  # the admin's catch-all
            single[name] = ["page-inconnue/"]
        elif name == "extension":  # the import templates
            single[name] = ["xlsx", "csv"]
        elif name == "figure":  # the statistics' CSV files
            single[name] = ["poles-par-region", "membres-par-pole", "indicateurs-annuels"]
        elif name == "path":  # media files (DEBUG only)
            single[name] = ["inconnu.png"]
        elif name == "pk" and route.text.startswith("api/v1/memberships/"):
            single[name] = [str(data.row(Membership).pk)]
        elif name == "pk" and route.text.startswith("api/v1/indicators/"):
            single[name] = [str(data.row(YearlyIndicators).pk)]
        elif name == "year":  # a year of the leaders' indicators
            single[name] = [str(timezone.localdate().year - 1)]
        else:
            return []
    fillings = [{}]
    for name, values in single.items():
        fillings = [{**f, name: value} for f in fillings for value in values]
    return fillings


# -- the visitors and what they saw ----------------------------------------------------------------


class FormsAndLinks(HTMLParser):
    """The fields of each form of a page (by method and target) and the links' parameters."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.get_fields: dict[str, set[str]] = {}
        self.post_fields: dict[str, set[str]] = {}
        self._form: set[str] | None = None

    def _target(self, url: str) -> tuple[str, list[str]] | None:
        parts = urlsplit(urljoin(self.page_url, url))
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
            return None
        names = [name for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
        return parts.path, names

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            target = self._target(attrs.get("action", ""))
            if target is None:
                self._form = set()  # a form to another site: its fields are not kept
                return
            path, names = target
            method = attrs.get("method", "get").lower()
            fields = self.post_fields if method == "post" else self.get_fields
            self._form = fields.setdefault(path, set())
            self._form.update(names)
        elif tag in ("input", "select", "textarea", "button"):
            if self._form is not None and attrs.get("name"):
                self._form.add(attrs["name"])
        elif tag == "a" and attrs.get("href") and "?" in attrs["href"]:
            target = self._target(attrs["href"])
            if target:
                self.get_fields.setdefault(target[0], set()).update(target[1])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


class Walker:
    """Sends the requests, as each visitor, and keeps what went wrong."""

    def __init__(self, users: dict[str, object]):
        self.users = users
        self.clients = {role: Client(raise_request_exception=False) for role in ROLES}
        for role, user in users.items():
            self.clients[role].force_login(user)
        self.problems: list[str] = []
        self.slowest = (0.0, "")
        self.phase = "keys"  # what the requests are for: their count per phase is reported
        self.requests: dict[str, int] = {}
        self.pages: list[Page] = []
        # Seen on the pages: the fields of the forms (and the links' parameters) by target.
        self.get_fields: dict[str, set[str]] = {}
        self.post_fields: dict[str, set[str]] = {}
        self.post_roles: dict[str, set[str]] = {}
        # The plain GETs sent while choosing the real keys, for the first phase of the walk to
        # read instead of asking the same pages again (nothing is posted in between).
        self.kept: dict[tuple[str, str], tuple] = {}
        self.reused = 0

    def send(self, role: str, method: str, path: str, data: str = ""):
        """GET ``path?data`` or POST ``data`` (url-encoded) to ``path``, as ``role``."""
        client = self.clients[role]
        url = f"{path}?{data}" if data and method == "get" else path
        if method == "get":
            response, content, elapsed = self.timed(client.get, url)
            if elapsed > SLOW_SECONDS and response.status_code < 500:
                elapsed = min(elapsed, self.time_again(client, url))
        else:
            response, content, elapsed = self.post(client, url, data)
        self.requests[self.phase] = self.requests.get(self.phase, 0) + 1
        shown = f"{role} {method.upper()} {url}" + (f" {data}" if method == "post" else "")
        shown = shown[:200] + ("…" if len(shown) > 200 else "")
        if elapsed > self.slowest[0]:
            self.slowest = (elapsed, shown)
        if response.status_code >= 500 or b"Traceback" in content or elapsed > SLOW_SECONDS:
            error = getattr(response, "exc_info", None)
            cause = f": {error[1]!r}"[:300] if error else ""
            self.problems.append(f"{shown} -> {response.status_code} in {elapsed:.2f} s{cause}")
        if role in self.users and settings.SESSION_COOKIE_NAME in response.cookies:
            client.force_login(self.users[role])  # logged out (or the session renewed)
        if self.phase == "keys" and method == "get" and not data:
            self.kept[role, path] = (response, content)
        return response, content

    def plain_get(self, role: str, path: str):
        """GET ``path`` as ``role``, or the answer it got while the keys were chosen."""
        if (role, path) in self.kept:
            self.reused += 1
            return self.kept.pop((role, path))
        return self.send(role, "get", path)

    @staticmethod
    def timed(call, *args, **kwargs):
        """The response, its content and the seconds it took."""
        start = time.perf_counter()
        response = call(*args, **kwargs)
        # The client closes the response (reading a streamed one to its end closes it).
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return response, content, time.perf_counter() - start

    def post(self, client: Client, url: str, data: str):
        """POST ``data``; a post slower than SLOW_SECONDS is undone (a savepoint of the test's
        transaction, the client's cookies) and sent once more, on the same rows: slow both
        times, it is slow; once, the machine was busy (as ``time_again`` for a GET)."""
        cookies = client.cookies.__class__()
        cookies.update(client.cookies)
        savepoint = transaction.savepoint_create()
        answer = self.timed(client.post, url, data, content_type=FORM_ENCODED)
        if answer[2] <= SLOW_SECONDS or answer[0].status_code >= 500:
            transaction.savepoint_commit(savepoint)
            return answer
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies
        again = self.timed(client.post, url, data, content_type=FORM_ENCODED)
        return (*again[:2], min(answer[2], again[2]))

    @staticmethod
    def time_again(client: Client, url: str) -> float:
        """A slow GET asked once more: a page slow both times is slow; once, the machine was
        busy (the run shares two cores with other work, CI's included)."""
        start = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return time.perf_counter() - start

    def discover(self, role: str, path: str, response, content: bytes) -> None:
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return
        parser = FormsAndLinks(path)
        parser.feed(content.decode("utf-8", "replace"))
        for target, names in parser.get_fields.items():
            self.get_fields.setdefault(target, set()).update(names)
        for target, names in parser.post_fields.items():
            self.post_fields.setdefault(target, set()).update(names)
            self.post_roles.setdefault(target, set()).add(role)


def query(names, value: tuple[str, ...]) -> str:
    """A query string (or url-encoded body) giving ``value`` to every name."""
    return "&".join(f"{_q(name)}={item}" for name in names for item in value)


def spread(names, shift: int) -> str:
    """A query string giving the names the corpus's values in turn, from value ``shift``."""
    return "&".join(
        query([name], CORPUS_VALUES[(number + shift) % len(CORPUS_VALUES)])
        for number, name in enumerate(names)
    )


def project_filterset_fields() -> set[str]:
    """The fields of every FilterSet of the project (the directory's, the organisations'...)."""
    names, stack = set(), [django_filters.FilterSet]
    while stack:
        for subclass in stack.pop().__subclasses__():
            stack.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_PACKAGES:
                names.update(subclass.base_filters)
    return names


def changelist_parameters(route: Route, path: str, curator) -> set[str] | None:
    """The query parameters of an admin changelist: search, ordering, page, and those of its
    list filters and date hierarchy; None when the route is no changelist."""
    model = admin_model(route)
    if model is None or not route.name.endswith("_changelist"):
        return None
    request = RequestFactory().get(path)
    request.user = curator
    changelist = admin.site._registry[model].get_changelist_instance(request)
    names = {name for spec in changelist.filter_specs for name in spec.expected_parameters()}
    names.update(CHANGELIST_PARAMETERS)
    if changelist.date_hierarchy:
        field_name = changelist.date_hierarchy
        names |= {f"{field_name}__{part}" for part in ("year", "month", "day")}
    return names


# -- the walk --------------------------------------------------------------------------------------


@dataclass
class Page:
    route: Route
    index: int
    path: str  # with real keys
    hostile_paths: list[str]
    statuses: dict[str, int] = field(default_factory=dict)


def choose_real_path(walker: Walker | None, route: Route, data: SiteData):
    """The first filling with real keys that resolves to the route and that some visitor may
    see (200), with its path; None when there is none. Without a walker, the first filling
    that resolves (nobody is asked)."""
    candidates = [(route.build(f), f) for f in real_keys(route, data)]
    candidates = [(path, f) for path, f in candidates if route.matches(path)]
    if len(candidates) <= 1 or walker is None:
        return candidates[0] if candidates else None
    for path, filling in candidates:
        for role in reversed(ROLES):
            if walker.send(role, "get", path)[0].status_code == 200:
                return path, filling
    return candidates[0]


def hostile_paths(route: Route, index: int, real: dict[str, str]) -> list[str]:
    """The route's path with one real key at a time replaced by a hostile one."""
    paths = []
    for param in route.params:
        for key in (*HOSTILE_KEYS, MORE_HOSTILE_KEYS[index % len(MORE_HOSTILE_KEYS)]):
            path = route.build({**real, param.name: key})
            if path not in paths and route.matches(path):
                paths.append(path)
    return paths


def shadowed(route: Route, data: SiteData) -> bool:
    """Whether an earlier pattern with the same route answers instead (a project's view that
    replaces one of Django's): nobody can reach this one."""
    for filling in real_keys(route, data):
        try:
            if resolve(route.build(filling)).route == route.text:
                return True
        except Resolver404:
            pass
    return False


def pages_of_the_site(
    walker: Walker | None, data: SiteData, only: str | None = None, share: int | None = None
):
    """The pages to walk (a route with real keys and its hostile variants), and the routes
    whose parameters the walker cannot fill; ``share`` keeps one of ``SHARES`` slices."""
    pages, unreached = [], []
    for index, route in enumerate(site_routes()):
        if only is not None and route.name != only:
            continue
        if share is not None and index % SHARES != share:
            continue
        chosen = choose_real_path(walker, route, data)
        if chosen is None:
            if not shadowed(route, data):
                unreached.append(route)
            continue
        path, filling = chosen
        pages.append(Page(route, index, path, hostile_paths(route, index, filling)))
    return pages, unreached


def walk_the_site(data: SiteData, only: str | None = None, share: int | None = None) -> Walker:
    """Walk the site (or the route named ``only``, or one share of the routes) and return the
    walker with its findings."""
    walker = Walker(data.users)
    pages, _ = pages_of_the_site(walker, data, only, share)
    filterset_fields = project_filterset_fields()

    # 1. Every page as every visitor, to know what each answers and which forms it shows.
    walker.phase = "plain"
    for page in pages:
        for role in ROLES:
            response, content = walker.plain_get(role, page.path)
            page.statuses[role] = response.status_code
            walker.discover(role, page.path, response, content)

    # 2. Hostile query strings.
    values = len(CORPUS_VALUES)
    for page in pages:
        route = page.route
        if route.is_admin:
            explicit = set(ADMIN_PARAMETERS)
            explicit |= changelist_parameters(route, page.path, data.users["curator"]) or set()
        else:
            explicit = set(COMMON_PARAMETERS)
        isolated = sorted(explicit | walker.get_fields.get(page.path, set()))
        everything = sorted(
            {*isolated, *COMMON_PARAMETERS, *walker.post_fields.get(page.path, ())}
            | (set() if route.is_admin else filterset_fields)
        )
        shown = [role for role in ROLES if page.statuses[role] == 200]
        lead = shown[page.index % len(shown)] if shown else ROLES[-1 if route.is_admin else 0]
        # The lead visitor sends each parameter alone, then all of them at once, the corpus
        # spread over them (parameter i gets value i + shift): at least twice, and until each
        # value has gone to the URL. A parameter whose bad value makes a page that answers 200
        # refuse the request (400, a redirect) would hide the others: it is left out of the
        # requests with them all.
        walker.phase = "one parameter"
        refusing, sent = set(), set()
        for number, name in enumerate(isolated):
            value = (number + page.index) % values
            response, _ = walker.send(lead, "get", page.path, query([name], CORPUS_VALUES[value]))
            sent.add(value)
            if page.statuses[lead] == 200 and response.status_code != 200:
                refusing.add(name)
        walker.phase = "all parameters"
        together = [name for name in everything if name not in refusing] or everything
        for repeat in range(values):
            if repeat >= 2 and len(sent) == values:
                break
            shift = page.index + 3 * repeat
            walker.send(lead, "get", page.path, spread(together, shift))
            sent.update((number + shift) % values for number in range(len(together)))
        # The other visitors: all the parameters at once (on the admin, only those it lets in:
        # the others all meet the same login redirect).
        for number, role in enumerate(ROLES):
            if role != lead and (role in shown or not route.is_admin):
                walker.send(role, "get", page.path, spread(together, page.index + 5 + number))
        walker.phase = "hostile keys"
        for number, path in enumerate(page.hostile_paths):
            value = CORPUS_VALUES[(page.index + number) % values]
            walker.send(lead, "get", path, query(isolated, value) if number % 2 else "")
    walker.phase = "junk paths"
    if only is None and not share:
        for path in JUNK_PATHS:
            walker.send("anonymous", "get", path)
            walker.send("curator", "get", path, query(["q"], CORPUS["nul"]))

    # 3. Hostile forms, posted by those who saw them: the first with a huge number and one
    # other value in turn, the others with one value each; deletions last, so that every other
    # page still has its rows.
    walker.phase = "forms"
    for page in sorted(pages, key=lambda p: p.route.name.endswith("_delete")):
        fields = sorted(walker.post_fields.get(page.path, ())) or COMMON_PARAMETERS
        default_role = ROLES[-1] if page.route.is_admin else ROLES[page.index % len(ROLES)]
        posters = sorted(walker.post_roles.get(page.path, ()), reverse=True) or [default_role]
        for number, role in enumerate(posters):
            turn = POST_IN_TURN[(page.index + number) % len(POST_IN_TURN)]
            for name in (*POST_ALWAYS, turn) if number == 0 else (turn,):
                walker.send(role, "post", page.path, query(fields, CORPUS[name]))
        if page.hostile_paths:
            value = CORPUS[POST_IN_TURN[page.index % len(POST_IN_TURN)]]
            walker.send(posters[0], "post", page.hostile_paths[0], query(fields, value))
    walker.pages = pages
    return walker


# -- the tests -------------------------------------------------------------------------------------


def test_every_url_pattern_is_reached_with_real_keys(site_data):
    # Whether a pattern can be filled does not depend on the answers: which of its fillings a
    # visitor sees is asked by the shares of the walk below (same requests, checked there).
    pages, unreached = pages_of_the_site(None, site_data)
    assert [route.text for route in unreached] == [], (
        "The walker cannot fill these patterns' parameters with real keys: teach real_keys()."
    )
    assert len(pages) > 100


@pytest.mark.parametrize("share", range(SHARES))
def test_no_url_gives_a_server_error_a_traceback_or_a_slow_answer(site_data, share):
    walker = walk_the_site(site_data, share=share)
    print(  # shown with -s or -rP
        f"\n{len(walker.pages)} URL patterns walked, {sum(walker.requests.values())} requests "
        f"({', '.join(f'{phase}: {count}' for phase, count in walker.requests.items())}; "
        f"{walker.reused} answers of the keys' phase reused); "
        f"slowest {walker.slowest[0]:.3f} s: {walker.slowest[1]}"
    )
    assert walker.problems == [], f"{len(walker.problems)} problems:\n" + "\n".join(
        walker.problems[:100]
    )


def test_the_walker_reports_a_view_that_fails(site_data, monkeypatch):
    """The walk above would miss nothing: a search that raises is a problem it reports."""
    from members.filters import OrganisationFilterSet

    def broken(self, queryset, name, value):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(OrganisationFilterSet, "filter_search", broken)
    walker = walk_the_site(site_data, only="members:organisation-list")
    assert walker.problems
    assert all("-> 500" in problem for problem in walker.problems)


# -- what the walk found, one test each ------------------------------------------------------------


@pytest.fixture
def staff(curator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(curator)
    return client


def _post(client: Client, path: str, body: str):
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("view", ["change", "delete"])
def test_an_empty_to_field_in_the_admin_is_a_bad_request(staff, pole, view):
    response = staff.get(f"/admin/poles/pole/{pole.pk}/{view}/?_to_field=")
    assert response.status_code == 400


def test_a_date_hierarchy_year_too_large_shows_the_unfiltered_changelist(staff, pole):
    response = staff.get("/admin/poles/pole/?updated_at__year=99999999999999999999")
    assert response.status_code == 302
    assert response["Location"] == "/admin/poles/pole/?e=1"


@pytest.mark.parametrize("parameter", ["q", "status__exact", "publisher", "a\x00"])
def test_nul_in_an_admin_query_string_is_a_bad_request(staff, parameter):
    path = "/admin/poles/sourcedocument/" if parameter == "publisher" else "/admin/poles/pole/"
    response = staff.get(path, {parameter: "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "1\x00"])
def test_an_autocomplete_field_given_no_key_says_so(staff, pole, value):
    """Posted, or given to the add page as its initial value."""
    former_region = FormerRegionFactory(region=pole.region)
    response = _post(
        staff,
        f"/admin/poles/formerregion/{former_region.pk}/change/",
        f"code=11&name=Nord&slug=nord&departments=59&region={quote(value)}",
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    initial = staff.get("/admin/poles/formerregion/add/", {"region": value})
    assert initial.status_code == (400 if "\x00" in value else 200)  # NUL: see above


def test_a_many_to_many_choice_too_large_for_the_database_is_refused(staff, alice, pole):
    from poles.leadership.space.forms import PoleProfileForm

    leader = Client(raise_request_exception=False)
    leader.force_login(alice)
    huge = "99999999999999999999"
    snapshot = PoleProfileForm(instance=pole).initial["snapshot"]
    body = f"summary=x&status=operational&version={pole.version}&snapshot={snapshot}"
    response = _post(leader, f"/espace/poles/{pole.slug}/", f"{body}&sectors={huge}")
    assert response.status_code == 400
    assert f"{huge}\xa0» n’est pas une valeur correcte" in response.content.decode()
    response = _post(staff, f"/admin/poles/pole/{pole.pk}/change/", f"name=x&sectors={huge}")
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["leaders", "admin"])
def test_a_forged_formset_size_builds_no_more_forms_than_allowed(
    staff, alice, pole, page, monkeypatch
):
    """One post of TOTAL_FORMS=99999999 made Django build 2,000 forms (10 to 25 s): the forms
    built are counted (not timed: the run shares two cores)."""
    if page == "leaders":
        client = Client(raise_request_exception=False)
        client.force_login(alice)
        path = f"/espace/poles/{pole.slug}/membres/"
        body = f"version={pole.version}&members-TOTAL_FORMS=99999999&members-INITIAL_FORMS=0"
    else:
        client = staff
        path = f"/admin/poles/pole/{pole.pk}/change/"
        body = "name=x&memberships-TOTAL_FORMS=99999999&memberships-INITIAL_FORMS=0"
    limit = BoundedInlineFormSet.new_forms_limit  # the pole has no member yet
    built = []
    construct = BoundedInlineFormSet._construct_form

    def counted(formset, index, **kwargs):
        built.append(index)
        return construct(formset, index, **kwargs)

    monkeypatch.setattr(BoundedInlineFormSet, "_construct_form", counted)
    response = _post(client, path, body)
    assert 0 < len(built) <= limit
    assert response.status_code < 500
    assert f"Veuillez soumettre au plus {limit} formulaires" in response.content.decode()
