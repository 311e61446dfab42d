"""The hostile URL walk's data (real rows and their keys) and its visitors (who send the
requests and keep what went wrong, and what each page showed)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import django_filters
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from members.models import Membership, Organisation
from poles.models import ClaimRequest, Invitation, Pole, PoleProposal, YearlyIndicators
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
from tests.walk_routes import (
    CHANGELIST_PARAMETERS,
    CORPUS_VALUES,
    FORM_ENCODED,
    PROJECT_PACKAGES,
    ROLES,
    SLOW_SECONDS,
    Route,
    percent_encoded,
)

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



def build_site_data(pole, alice, curator, stranger) -> SiteData:
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
    _login_records()
    return SiteData(
        pole=pole,
        users={"leader": alice, "curator": curator},
        invitation_token=token,
        rows={Pole: pole},
    )



def _login_records() -> None:
    """A row in each of django-axes' tables (failed logins), which the admin shows."""
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


@dataclass
class Page:
    route: Route
    index: int
    path: str  # with real keys
    hostile_paths: list[str]
    statuses: dict[str, int] = field(default_factory=dict)


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
    return "&".join(f"{percent_encoded(name)}={item}" for name in names for item in value)


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
