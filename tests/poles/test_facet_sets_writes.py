"""Every write path reaches the directory's bit sets (``poles/registry/facet_sets.py``): after
the change, the directory's page (its results and counts) is the FilterSet's SQL at once, the
sets having been read before the change."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from calls.models import Application
from members.models import Membership, Organisation
from poles.models import Pole
from poles.registry.search.indexer import deferred_indexing
from ptce_site.settings import BASE_DIR
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY = "/poles/"


def shown(client, **params) -> list[str]:
    """The names the directory lists, checked against the FilterSet's SQL."""
    from poles.registry.filters import PoleFilterSet

    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    names = [pole.name for pole in response.context["page_obj"].object_list]
    expected = PoleFilterSet(params or None, queryset=Pole.objects.published()).qs
    assert names == [pole.name for pole in expected]
    assert response.context["page_obj"].paginator.count == len(names)
    return names


def test_member_kinds_written_at_the_end_of_an_import_reach_the_sets(client):
    """Imports index their poles once, at their end, after their rows were saved (and the
    registry's generation moved): the kinds of members written then must reach the sets that
    a request read in between."""
    membership = MembershipFactory(
        pole=PoleFactory(name="Pôle Armor"), organisation=OrganisationFactory(kind="sme"),
        left_on=datetime.date(2020, 1, 1),
    )
    with deferred_indexing():
        # The member is back (its search document holds its name already: unchanged).
        membership.left_on = None
        membership.save()
        assert shown(client, member_kind="sme") == []  # not indexed yet: SQL says so too
    assert shown(client, member_kind="sme") == ["Pôle Armor"]


def test_rebuilding_the_search_index_after_a_raw_load_reaches_the_sets(client):
    """A bulk load that skipped the code is followed by ``rebuild_search_index`` (its help
    says so): the directory then lists the poles and their kinds of members."""
    assert shown(client) == []
    pole = PoleFactory.build(name="Pôle Argoat", slug="pole-argoat", region=None)
    Pole.objects.bulk_create([pole])
    organisation = OrganisationFactory(kind="sme")
    # The membership written without signals either (as the raw load).
    Membership.objects.bulk_create(
        [Membership(pole=pole, organisation=organisation, role=Membership.Role.MEMBER)]
    )
    assert shown(client, member_kind="sme") == []
    call_command("rebuild_search_index", verbosity=0)
    assert shown(client, member_kind="sme") == ["Pôle Argoat"]


def test_admin_bulk_publish_and_unpublish_reach_the_sets(admin_client):
    hidden = PoleFactory(name="Pôle caché", is_published=False)
    visible = PoleFactory(name="Pôle visible")
    # The admin is logged in: the directory is built for it, never from the page cache.
    assert shown(admin_client) == ["Pôle visible"]
    url = "/admin/poles/pole/"
    for action, pk in [("publish", hidden.pk), ("unpublish", visible.pk)]:
        response = admin_client.post(url, {"action": action, "_selected_action": [pk]})
        assert response.status_code == 302
    assert shown(admin_client) == ["Pôle caché"]


def test_related_rows_changed_or_deleted_reach_the_sets(client):
    culture = SectorFactory(name="Culture")
    call = CallFactory(title="Appel 2013")
    pole = PoleFactory(name="Pôle Armor", sectors=[culture], commune_code="22113")
    membership = MembershipFactory(pole=pole, organisation=OrganisationFactory(kind="sme"))
    application = ApplicationFactory(pole=pole, call=call)
    assert shown(client, sector="culture") == ["Pôle Armor"]
    assert shown(client, member_kind="sme") == ["Pôle Armor"]
    assert shown(client, call=call.slug, outcome="laureate") == ["Pôle Armor"]

    application.outcome = Application.Outcome.NOT_SELECTED
    application.save()
    assert shown(client, call=call.slug, outcome="laureate") == []
    organisation = membership.organisation
    organisation.kind = Organisation.Kind.RESEARCH
    organisation.save()
    assert shown(client, member_kind="sme") == []
    assert shown(client, member_kind="research") == ["Pôle Armor"]
    membership.left_on = datetime.date(2024, 1, 1)
    membership.save()
    assert shown(client, member_kind="research") == []
    # The former regions are reference data the curators may edit: their departments too.
    former = FormerRegionFactory(name="Bretagne ancienne", departments="35")
    assert shown(client, former_region=former.slug) == []
    former.departments = "22 29"
    former.save()
    assert shown(client, former_region=former.slug) == ["Pôle Armor"]
    culture.delete()
    assert client.get(DIRECTORY).context["filter"].form.fields["sector"].widget.counts == {}
    call.delete()
    counts = client.get(DIRECTORY).context["filter"].form.fields["outcome"].widget.counts
    assert counts == {}


def sector_options(client, **params) -> list[str]:
    """The texts of the directory's sector options, as a visitor reads them."""
    html = client.get(DIRECTORY, params).content.decode()
    select = re.search(r'<select name="sector".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_the_selects_options_follow_every_change_of_their_rows(client):
    """The selects' rows (regions, sectors, calls) are kept per state of the registry and
    language (``PoleFilterSet.rows_of``): a sector renamed, added or deleted shows at once,
    in each language."""
    culture = SectorFactory(name="Culture", name_en="Culture")
    PoleFactory(name="Pôle Armor", sectors=[culture])
    assert sector_options(client) == ["Tous les secteurs", "Culture (1)"]
    culture.name_fr, culture.name_en = "Culture et patrimoine", "Culture and heritage"
    culture.save()
    SectorFactory(name="Sport", name_en="Sports")
    assert sector_options(client) == [
        "Tous les secteurs", "Culture et patrimoine (1)", "Sport (0)"
    ]
    assert sector_options(client, lang="en") == [
        "All sectors", "Culture and heritage (1)", "Sports (0)"
    ]
    assert sector_options(client) == [
        "Tous les secteurs", "Culture et patrimoine (1)", "Sport (0)"
    ]
    culture.delete()
    assert sector_options(client) == ["Tous les secteurs", "Sport (0)"]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="another process needs a database it can open: the SQLite test one is in memory",
)
@pytest.mark.django_db(transaction=True)
def test_an_import_committed_by_another_process_reaches_the_sets(client, tmp_path):
    """``manage.py import_registry`` beside the site, with a cache of its own (no Redis): the
    process that keeps the sets sees its import through the registry's version."""
    PoleFactory(name="Pôle Armor", slug="pole-armor")
    OrganisationFactory(kind="sme", siren="732829320")
    assert shown(client, member_kind="sme") == []
    path = tmp_path / "adhesions.csv"
    path.write_text("pôle;organisation;rôle\npole-armor;732829320;Membre\n", encoding="utf-8")
    database = connection.settings_dict
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    environment["DATABASE_URL"] = (
        f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT']}"
        f"/{database['NAME']}"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "import_registry", str(path)],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert shown(client, member_kind="sme") == ["Pôle Armor"]
