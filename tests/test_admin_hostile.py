"""Server errors a curator could trigger in the admin with hand-made URLs and posts, which the
URL walker (``tests/test_hostile_urls.py``) does not send: see ``ptce_site/admin_site.py``.

- ids and filter values with non-ASCII digits (``²``, ``①``): ``str.isdigit`` accepts them,
  ``int`` does not;
- a bulk action's selection that is no key (``_selected_action=abc``, ``1.5``, ``²``, empty);
- field lookups in a changelist's query string that Django accepts and the query cannot run
  (``?name__regex=(``, ``?updated_at__year=-1``...): Django's "invalid filter" answer
  (the changelist unfiltered, ``?e=1``), never a 500.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from members.models import Organisation
from poles.leadership import services
from poles.models import ClaimRequest, Invitation, Pole
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db

NON_ASCII_DIGITS = ("²", "①", "٣")  # superscript two, circled one, Arabic-Indic three
NOTHING_SELECTED = (  # Django's words, in French
    "Des éléments doivent être sélectionnés afin d’appliquer les actions. "
    "Aucun élément n’a été modifié."
)


@pytest.fixture
def staff(curator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(curator)
    return client


@pytest.fixture
def registry(pole, curator):
    """A row on each changelist with actions: a pole, an invitation, a claim, an organisation."""
    services.invite_leader(pole=pole, email="nadia@example.org", invited_by=curator)
    services.create_claim_request(
        pole=pole, name="Nadia", role="Coordinatrice", email="nadia@example.org", message=""
    )
    OrganisationFactory()
    ApplicationFactory(pole=pole, call=CallFactory())
    return pole


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


# -- ids and filter values with non-ASCII digits --------------------------------------------------


@pytest.mark.parametrize("digit", NON_ASCII_DIGITS)
def test_an_admin_id_in_non_ascii_digits_is_not_found(staff, registry, digit):
    claim = quote(digit)
    assert staff.get(f"/admin/poles/claimrequest/{claim}/refuser/").status_code == 404
    assert staff.post(f"/admin/poles/claimrequest/{claim}/accepter/").status_code == 404
    assert staff.get(f"/admin/poles/pole/{quote(digit)}/inviter/").status_code == 404
    assert ClaimRequest.objects.get().status == ClaimRequest.Status.PENDING


@pytest.mark.parametrize("call_id", ["²", "①", "99999999999999999999"])
def test_a_call_outcome_filter_on_no_call_lists_no_pole(staff, registry, call_id):
    """Like any value that names no call (``x:y``, see tests/poles/test_admin.py)."""
    response = staff.get(changelist(Pole), {"call_outcome": f"{call_id}:laureate"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    call = registry.applications.get().call
    response = staff.get(changelist(Pole), {"call_outcome": f"{call.pk}:laureate"})
    assert list(response.context["cl"].result_list) == [registry]


# -- bulk actions with a selection that is no key -------------------------------------------------


def actions_of_every_admin(user) -> list[tuple[type[models.Model], str]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    found = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_or_change_permission(request):
            found += [(model, name) for name in model_admin.get_actions(request)]
    return found


def states() -> tuple:
    return (
        list(Pole.objects.values_list("pk", "is_published", "version")),
        list(ClaimRequest.objects.values_list("pk", "status")),
        list(Invitation.objects.values_list("pk", "revoked_at", "expires_at")),
    )


@pytest.mark.parametrize("selection", ["abc", "", "1.5", "²", "99999999999999999999", "1\x00"])
def test_a_bulk_action_on_no_key_says_that_nothing_was_selected(
    staff, curator, registry, selection
):
    """On every admin, for each of its actions: Django's "Items must be selected" warning."""
    actions = actions_of_every_admin(curator)
    assert {model for model, _name in actions} >= {Pole, Invitation, ClaimRequest, Organisation}
    before = states()
    for model, action in actions:
        data = {"action": action, "index": "0", "_selected_action": selection}
        response = staff.post(changelist(model), data)
        assert (response.status_code, response.url) == (302, changelist(model)), (model, action)
        # The message the list shows next (read here: rendering the list 40 times per value
        # would test the list, not the action).
        said = [message.message for message in get_messages(response.wsgi_request)]
        assert said == [NOTHING_SELECTED], (model, action)
        staff.cookies.pop("messages", None)  # shown, as the list would have shown it
    assert states() == before


def test_a_bulk_action_runs_on_the_keys_of_a_partly_forged_selection(staff, registry):
    data = {"action": "publish", "index": "0", "_selected_action": ["abc", str(registry.pk)]}
    response = staff.post(changelist(Pole), data)
    assert response.status_code == 302
    registry.refresh_from_db()
    assert registry.is_published


def test_a_confirmed_action_on_no_key_shows_the_list_again(staff, registry):
    """Without ``index`` (the post of a confirmation page), nothing selected shows the list."""
    data = {"action": "revoke", "_selected_action": "²"}
    response = staff.post(changelist(Invitation), data)
    assert response.status_code == 200
    assert Invitation.objects.get().revoked_at is None


# -- field lookups the query cannot run -----------------------------------------------------------

# Each fails on both databases, when the rows are counted.
BROKEN_LOOKUPS = [
    ("/admin/members/organisation/", "updated_at__year", "-1"),
    ("/admin/members/organisation/", "updated_at__year", "0"),
    ("/admin/members/organisation/", "created_at__iso_year", "-5"),
    ("/admin/members/organisation/", "name__regex", "("),
    ("/admin/poles/pole/", "name__iregex", "["),
    ("/admin/poles/pole/", "name__range", "1,2"),
    ("/admin/poles/pole/", "created_at__year", "0"),
    ("/admin/poles/claimrequest/", "email__regex", "("),
    ("/admin/calls/call/", "closes_on__year", "-1"),
    ("/admin/axes/accesslog/", "logout_time__iso_year", "0"),
    ("/admin/poles/pole/", "updated_at__year", "99999999999999999999"),  # the date hierarchy
]


@pytest.mark.parametrize(("path", "lookup", "value"), BROKEN_LOOKUPS)
def test_a_lookup_the_query_cannot_run_shows_the_list_unfiltered(
    staff, registry, path, lookup, value
):
    response = staff.get(path, {lookup: value})
    assert response.status_code == 302
    assert response["Location"] == f"{path}?e=1"
    unfiltered = staff.get(response["Location"])
    assert unfiltered.status_code == 200
    assert unfiltered.context["cl"].result_count == unfiltered.context["cl"].root_queryset.count()


EXPORTED = ("/admin/members/organisation/", "/admin/poles/pole/")  # import-export's admins


@pytest.mark.parametrize(
    ("path", "lookup", "value"),
    [
        *(row for row in BROKEN_LOOKUPS if row[0] in EXPORTED),
        ("/admin/poles/pole/", "founded_year", "abc"),
    ],
)
def test_the_export_page_with_such_a_lookup_shows_the_list_unfiltered(
    staff, registry, path, lookup, value
):
    """The changelist's « Exporter » page reads the list's query string: it answered 500 (or
    503) to what the list answers with its « invalid filter » redirect."""
    for response in (
        staff.get(f"{path}export/", {lookup: value}),
        staff.post(f"{path}export/?{lookup}={quote(value)}", {"format": "0"}),
    ):
        assert response.status_code == 302 and response["Location"] == f"{path}?e=1"


def test_a_bulk_action_with_such_a_lookup_does_nothing(staff, registry):
    before = states()
    path = f"{changelist(Pole)}?name__regex=("
    data = {"action": "unpublish", "index": "0", "_selected_action": str(registry.pk)}
    response = staff.post(path, data)
    assert response.status_code == 302
    assert response["Location"] == f"{changelist(Pole)}?e=1"
    assert states() == before


@pytest.mark.parametrize("path", ["/admin/poles/pole/", "/admin/poles/claimrequest/"])
def test_the_lookups_of_the_site_and_of_django_still_filter(staff, registry, path):
    pole = PoleFactory(name="Pôle témoin")
    if path == "/admin/poles/pole/":  # a list filter, the date hierarchy, a lookup by hand
        queries = [
            {"region__id__exact": pole.region_id},
            {"updated_at__year": pole.updated_at.year, "name__icontains": "témoin"},
        ]
        expected = [pole]
    else:  # the link in the e-mail that tells staff of a claim
        queries = [{"status__exact": "pending"}]
        expected = list(ClaimRequest.objects.all())
    for query in queries:
        response = staff.get(path, query)
        assert response.status_code == 200, query
        assert list(response.context["cl"].result_list) == expected, query


def test_a_popup_limited_by_the_model_still_filters(admin_client, registry, curator):
    """The leaders' field: ``limit_choices_to={"is_staff": False, "is_superuser": False}``."""
    response = admin_client.get(
        "/admin/auth/user/",
        {"_popup": "1", "_to_field": "id", "is_staff__exact": "0", "is_superuser__exact": "0"},
    )
    assert response.status_code == 200
    assert curator not in response.context["cl"].result_list


WALK_VALUES = ("(", "1,2", "0", "-1", "99999999999999999999")
# The lookups are walked in slices, one test each, so that pytest-xdist's workers share them.
LOOKUP_SHARES = 2


def first_fields_of_each_lookup(user) -> list[tuple[str, str, str]]:
    """(changelist, field, lookup name) for each lookup of the fields of the changelists that
    ``user`` may see, on the first field that has it (once over the site)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    seen, walk = set(), []
    for model, model_admin in admin.site._registry.items():
        path = changelist(model)
        if not model_admin.has_view_or_change_permission(request):
            continue  # not for curators (the changelist answers 403)
        for field in model._meta.concrete_fields:
            for name, lookup in sorted(field.get_lookups().items()):
                if lookup not in seen:
                    seen.add(lookup)
                    walk.append((path, field.name, name))
    return walk


@pytest.mark.parametrize("share", range(LOOKUP_SHARES))
@pytest.mark.usefixtures("plain_templates")  # no context read: the lists render as in production
def test_no_field_lookup_of_a_changelist_gives_a_server_error(staff, curator, registry, share):
    """Each lookup of the changelists' fields, with values that break one lookup or another."""
    walk = first_fields_of_each_lookup(curator)
    assert len(walk) > 40
    for path, field, name in walk[share::LOOKUP_SHARES]:
        for value in WALK_VALUES:
            response = staff.get(path, {f"{field}__{name}": value})
            assert response.status_code == 200 or (
                response.status_code == 302 and response["Location"] == f"{path}?e=1"
            ), (path, field, name, value, response.status_code)
