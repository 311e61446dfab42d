"""A membership whose departure date comes stops counting that day, though nothing is written
at midnight: the directory's "kind of member" filter and its counts (``MemberKind``, dated by
the indexer), and the cached pages (the page cache's key holds the day). The search keeps
finding a pole by the name of a member that left: its documents hold past members too."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Organisation
from poles.models import Pole
from poles.registry.filters import PoleFilterSet
from poles.registry.search import rebuild_index
from poles.registry.search.models import MemberKind
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")
TODAY = timezone.localdate()
LOCAL = Organisation.Kind.LOCAL_AUTHORITY
ESS = Organisation.Kind.ESS_ENTERPRISE


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


@pytest.fixture
def on_day(monkeypatch):
    """Moves the site's today (``timezone.localdate``, which every rule of the site reads)."""
    def move(day: datetime.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)

    return move


def found(client, **params) -> list[str]:
    """The poles the directory lists (read from the process's sets), which must be those of the
    FilterSet's SQL."""
    response = client.get(DIRECTORY, params)
    assert response.status_code == 200
    names = [pole.name for pole in response.context["page_obj"].object_list]
    expected = PoleFilterSet(params, queryset=Pole.objects.published()).qs
    assert names == [pole.name for pole in expected]
    return names


def kind_counts(client) -> dict[str, int]:
    """The counts of the "kind of member" options of the directory's filter panel."""
    field = client.get(DIRECTORY).context["filter"].form.fields["member_kind"]
    return {kind: count for kind, count in field.widget.counts.items() if count}


@pytest.fixture
def coteaux():
    """A pole whose only local authority leaves tomorrow; its ESS enterprise stays."""
    pole = PoleFactory(name="Pôle des Coteaux")
    MembershipFactory(pole=pole, organisation=OrganisationFactory(name="Mairie de Lanvallay",
                                                                  kind=LOCAL), left_on=days(1))
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind=ESS))
    return pole


def test_a_kind_whose_last_member_leaves_tomorrow_stops_counting_tomorrow_without_any_write(
    client, coteaux, on_day
):
    assert found(client, member_kind=LOCAL) == ["Pôle des Coteaux"]
    assert kind_counts(client) == {LOCAL: 1, ESS: 1}
    rows = set(MemberKind.objects.values_list("kind", "left_on"))

    on_day(days(1))
    assert found(client, member_kind=LOCAL) == []
    assert found(client, member_kind=ESS) == ["Pôle des Coteaux"]
    assert kind_counts(client) == {ESS: 1}
    assert set(MemberKind.objects.values_list("kind", "left_on")) == rows  # nothing written


def test_the_search_finds_a_pole_by_a_members_name_before_and_after_it_leaves(
    client, coteaux, on_day
):
    assert found(client, q="Lanvallay") == ["Pôle des Coteaux"]
    on_day(days(1))
    assert found(client, q="Lanvallay") == ["Pôle des Coteaux"]  # past members are searched


def test_a_kind_counts_until_its_last_dated_member_leaves_and_for_good_with_an_undated_one(
    client, on_day
):
    dated = PoleFactory(name="Pôle daté")
    for leaving in (days(1), days(8)):
        MembershipFactory(pole=dated, organisation=OrganisationFactory(kind=LOCAL),
                          left_on=leaving)
    lasting = PoleFactory(name="Pôle durable")
    MembershipFactory(pole=lasting, organisation=OrganisationFactory(kind=LOCAL),
                      left_on=days(1))
    MembershipFactory(pole=lasting, organisation=OrganisationFactory(kind=LOCAL))

    on_day(days(7))
    assert found(client, member_kind=LOCAL) == ["Pôle daté", "Pôle durable"]
    on_day(days(8))
    assert found(client, member_kind=LOCAL) == ["Pôle durable"]
    assert kind_counts(client) == {LOCAL: 1}
    on_day(days(4000))
    assert found(client, member_kind=LOCAL) == ["Pôle durable"]


def test_a_rebuild_keeps_the_kinds_of_members_leaving_later_with_their_day(coteaux):
    MembershipFactory(pole=PoleFactory(), organisation=OrganisationFactory(kind=LOCAL),
                      left_on=days(-1))  # left yesterday: no kind
    written = set(MemberKind.objects.values_list("pole_id", "kind", "left_on"))
    assert (coteaux.pk, LOCAL, days(1)) in written and (coteaux.pk, ESS, None) in written
    MemberKind.objects.all().delete()
    rebuild_index()
    assert set(MemberKind.objects.values_list("pole_id", "kind", "left_on")) == written


def test_a_reindex_after_the_day_drops_the_kind_that_ended(coteaux, on_day):
    on_day(days(1))
    coteaux.description = "Une description."
    coteaux.save()  # any write reindexes the pole
    assert set(MemberKind.objects.values_list("kind", "left_on")) == {(ESS, None)}


def test_a_cached_directory_page_is_built_again_on_the_day_a_member_leaves(
    client, coteaux, on_day, settings
):
    settings.PAGE_CACHE_SECONDS = 600
    url = f"{DIRECTORY}?member_kind={LOCAL}"
    assert "Pôle des Coteaux" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    on_day(days(1))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Pôle des Coteaux" not in response.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
