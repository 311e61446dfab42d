"""The hostile URL walk itself: the pages to walk, then every page as every visitor, hostile
query strings, hostile keys and junk paths, then hostile forms."""

from __future__ import annotations

from django.urls import Resolver404, resolve

from tests.walk_routes import (
    ADMIN_PARAMETERS,
    COMMON_PARAMETERS,
    CORPUS,
    CORPUS_VALUES,
    HOSTILE_KEYS,
    JUNK_PATHS,
    MORE_HOSTILE_KEYS,
    POST_ALWAYS,
    POST_IN_TURN,
    ROLES,
    SHARES,
    Route,
    site_routes,
)
from tests.walk_visitors import (
    Page,
    SiteData,
    Walker,
    changelist_parameters,
    project_filterset_fields,
    query,
    real_keys,
    spread,
)

# -- the walk --------------------------------------------------------------------------------------


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
    # 1. Every page as every visitor, to know what each answers and which forms it shows.
    walker.phase = "plain"
    for page in pages:
        for role in ROLES:
            response, content = walker.plain_get(role, page.path)
            page.statuses[role] = response.status_code
            walker.discover(role, page.path, response, content)
    # 2. Hostile query strings and keys.
    filterset_fields = project_filterset_fields()
    for page in pages:
        send_hostile_queries(walker, page, data, filterset_fields)
    walker.phase = "junk paths"
    if only is None and not share:
        for path in JUNK_PATHS:
            walker.send("anonymous", "get", path)
            walker.send("curator", "get", path, query(["q"], CORPUS["nul"]))
    # 3. Hostile forms; deletions last, so that every other page still has its rows.
    walker.phase = "forms"
    for page in sorted(pages, key=lambda p: p.route.name.endswith("_delete")):
        post_hostile_forms(walker, page)
    walker.pages = pages
    return walker


def send_hostile_queries(walker: Walker, page: Page, data: SiteData, filterset_fields) -> None:
    """The page's parameters with the corpus's values, by its lead visitor then the others;
    then its hostile keys."""
    route, values = page.route, len(CORPUS_VALUES)
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


def post_hostile_forms(walker: Walker, page: Page) -> None:
    """The page's forms posted by those who saw them: the first with a huge number and one
    other value in turn, the others with one value each."""
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
