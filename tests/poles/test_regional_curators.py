"""Regional curators (issue #16): as the curator of region A, every admin page of every model
split between regions shows A's rows and never B's: B's rows are absent from the lists and the
autocomplete results, and every URL of one of them answers 404 to a GET and to a forged POST,
which changes nothing. The URLs come from the admin's registry, so that a new model or page is
walked without editing this file."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from poles.models import (
    ClaimRequest,
    Invitation,
    Pole,
    PoleProposal,
    RegionalCurator,
    YearlyIndicators,
)
from ptce_site.curators import REGIONAL_CURATORS_GROUP
from ptce_site.scope import scope
from tests.factories import (
    ApplicationFactory,
    CharterSignatureFactory,
    CommuneFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def regional_curator(*regions, username="rita", organisation="CRESS A"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=REGIONAL_CURATORS_GROUP))
    profile = RegionalCurator.objects.create(user=user, organisation_name=organisation)
    profile.regions.set(regions)
    return user


def region_rows(region, suffix: str) -> dict[str, object]:
    """One row of each model split between regions, in ``region``, keyed by model label."""
    pole = PoleFactory(name=f"Pôle {suffix}", region=region)
    leader = UserFactory(username=f"leader-{suffix}")
    pole.leaders.add(leader)
    former = FormerRegionFactory(region=region)
    membership = MembershipFactory(
        pole=pole, organisation=OrganisationFactory(name=f"Organisation {suffix}", region=region)
    )
    invitation = Invitation.objects.create(
        pole=pole, email=f"{suffix}@example.org", user=leader, token_hash=f"hash-{suffix}",
        expires_at=timezone.now() + timedelta(days=3),
    )
    claim = ClaimRequest.objects.create(
        pole=pole, name="Ana", role="coordinatrice", email=f"{suffix}@example.org"
    )
    proposal = PoleProposal.objects.create(
        name=f"Proposé {suffix}", region=region, proposer_name="Léa",
        proposer_email=f"lea-{suffix}@example.org", token_hash=f"p-{suffix}",
        status=PoleProposal.Status.PENDING, confirmed_at=timezone.now(),
    )
    return {
        "poles.pole": pole,
        "poles.region": region,
        "poles.formerregion": former,
        "poles.commune": CommuneFactory(region=region),
        "poles.invitation": invitation,
        "poles.claimrequest": claim,
        "poles.poleproposal": proposal,
        "members.organisation": membership.organisation,
        "members.membership": membership,
        "calls.application": ApplicationFactory(pole=pole, former_region=former),
        "poles.yearlyindicators": YearlyIndicators.objects.create(
            pole=pole, year=timezone.localdate().year - 1, jobs_fte=3
        ),
        "poles.chartersignature": CharterSignatureFactory(pole=pole),
        "auth.user": leader,
    }


@pytest.fixture
def two_regions(db):
    region_a, region_b = RegionFactory(name="Région A"), RegionFactory(name="Région B")
    return region_rows(region_a, "a"), region_rows(region_b, "b")


@pytest.fixture
def rita_client(client, two_regions):
    client.force_login(regional_curator(two_regions[0]["poles.region"]))
    return client


def object_urls(model_admin, obj) -> list[str]:
    """Every URL of the admin's patterns about one object, for ``obj``."""
    urls = []
    info = model_admin.opts.app_label, model_admin.opts.model_name
    for pattern in model_admin.get_urls():
        if isinstance(pattern, URLPattern) and str(pattern.name).endswith("_simple_history"):
            # django-simple-history's page of one version (and its revert): keys by position.
            if history := getattr(obj, "history", None):
                args = [obj.pk, history.first().history_id]
                urls.append(reverse(f"admin:{pattern.name}", args=args))
            continue
        if not isinstance(pattern, URLPattern) or "object_id" not in str(pattern.pattern):
            continue
        if pattern.name is None:  # the catch-all redirect to the change page
            continue
        kwargs = {"object_id": obj.pk}
        if "version_id" in str(pattern.pattern):
            history = getattr(obj, "history", None)
            if history is None:
                continue
            kwargs["version_id"] = history.first().history_id
        urls.append(reverse(f"admin:{pattern.name}", kwargs=kwargs))
        assert pattern.name.startswith(f"{info[0]}_{info[1]}"), pattern.name
    return urls


def scoped_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if scope().restricts(model)
    ]


def fingerprint(obj) -> tuple:
    """The row's values in the database (unchanged by a refused post)."""
    return tuple(type(obj)._base_manager.filter(pk=obj.pk).values_list().first() or ())


def test_every_admin_url_of_another_region_answers_404(rita_client, two_regions):
    mine, theirs = two_regions
    walked = 0
    for model, model_admin in scoped_admins():
        label = model._meta.label_lower
        assert label in theirs, f"teach region_rows() a row of {label}"
        before = fingerprint(theirs[label])
        for url in object_urls(model_admin, theirs[label]):
            assert rita_client.get(url).status_code == 404, url
            forged = {"name": "Volé", "region": mine["poles.region"].pk, "email": "x@x.org"}
            assert rita_client.post(url, forged).status_code == 404, url
            walked += 1
        assert fingerprint(theirs[label]) == before, label
        change = reverse(f"admin:{label.replace('.', '_')}_change", args=[mine[label].pk])
        assert rita_client.get(change).status_code in (200, 403), change
    assert walked > 30


def listed_keys(response) -> set:
    return {obj.pk for obj in response.context["cl"].result_list}


def test_the_lists_show_only_the_curators_region(rita_client, two_regions):
    mine, theirs = two_regions
    for model, _model_admin in scoped_admins():
        label = model._meta.label_lower
        response = rita_client.get(reverse(f"admin:{label.replace('.', '_')}_changelist"))
        if response.status_code == 403:  # accounts: administrators only
            continue
        keys = listed_keys(response)
        assert mine[label].pk in keys and theirs[label].pk not in keys, label


def test_the_region_filter_offers_only_the_curators_regions(rita_client, two_regions):
    mine, theirs = two_regions
    response = rita_client.get(reverse("admin:poles_pole_changelist"))
    html = response.content.decode()
    assert f"region__id__exact={mine['poles.region'].pk}" in html
    assert f"region__id__exact={theirs['poles.region'].pk}" not in html


def test_autocomplete_offers_only_the_curators_region(rita_client, two_regions):
    mine, theirs = two_regions
    asked = 0
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.autocomplete_fields:
            target = model._meta.get_field(name).related_model
            label = target._meta.label_lower
            if label not in theirs:
                continue
            response = rita_client.get(
                reverse("admin:autocomplete"),
                {"app_label": model._meta.app_label, "model_name": model._meta.model_name,
                 "field_name": name, "term": ""},
            )
            if response.status_code == 403:  # a model the curator may not view
                continue
            ids = {int(item["id"]) for item in response.json()["results"]}
            assert str(mine[label].pk) and mine[label].pk in ids, (model, name)
            assert theirs[label].pk not in ids, (model, name)
            asked += 1
    assert asked >= 5


def test_titles_count_only_the_curators_pending_rows(rita_client, two_regions):
    response = rita_client.get(reverse("admin:poles_claimrequest_changelist"))
    assert response.context["title"] == "Demandes de gestion des pôles : 1 en attente"


def test_a_pole_cannot_leave_the_curators_regions(rita_client, two_regions):
    mine, theirs = two_regions
    pole = mine["poles.pole"]
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    form = rita_client.get(url).context["adminform"].form
    data = {
        key: value for key, value in form.initial.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    data.update(
        name=pole.name, slug=pole.slug, status=pole.status, region=theirs["poles.region"].pk,
        loaded_version=pole.version,
        **{f"{prefix}-{key}": value for prefix in ("memberships", "applications")
           for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))},
    )
    response = rita_client.post(url, data)
    assert "region" in response.context["adminform"].form.errors  # not among the choices
    # By its commune (which gives the region), or reverted to a version of another region.
    commune = theirs["poles.commune"]
    response = rita_client.post(url, {**data, "region": "", "commune_code": commune.code})
    assert "relève de vos régions" in str(response.context["adminform"].form.non_field_errors())
    pole.refresh_from_db()
    assert pole.region == mine["poles.region"]
    add = rita_client.post(reverse("admin:poles_pole_add"), {**data, "slug": "nouveau"})
    assert add.status_code == 200 and not Pole.objects.filter(slug="nouveau").exists()


def test_reference_data_stays_read_only(rita_client, two_regions):
    region = two_regions[0]["poles.region"]
    for name in ("poles_sector_add", "poles_sourcedocument_add", "calls_call_add"):
        assert rita_client.get(reverse(f"admin:{name}")).status_code == 403, name
    url = reverse("admin:poles_region_change", args=[region.pk])
    assert rita_client.post(url, {"name": "Renommée"}).status_code == 403
    region.refresh_from_db()
    assert region.name == "Région A"
    # A call's page (read-only) lists the laureates of the curator's regions only.
    mine, theirs = two_regions
    for rows, shown in ((mine, True), (theirs, False)):
        call = rows["calls.application"].call
        html = rita_client.get(reverse("admin:calls_call_change", args=[call.pk])).content
        assert (rows["poles.pole"].name in html.decode()) is shown


def test_bulk_actions_ignore_rows_of_another_region(rita_client, two_regions):
    mine, theirs = two_regions
    Pole.objects.update(is_published=False)
    rita_client.post(
        reverse("admin:poles_pole_changelist"),
        {"action": "publish", "_selected_action": [mine["poles.pole"].pk, theirs["poles.pole"].pk]},
    )
    published = set(Pole.objects.filter(is_published=True).values_list("pk", flat=True))
    assert published == {mine["poles.pole"].pk}


def test_an_export_of_a_forged_selection_holds_only_the_curators_region(rita_client, two_regions):
    mine, theirs = two_regions
    response = rita_client.post(
        reverse("admin:poles_pole_changelist"),
        {"action": "export_csv",
         "_selected_action": [mine["poles.pole"].pk, theirs["poles.pole"].pk]},
    )
    text = response.content.decode("utf-8-sig")
    assert "Pôle a" in text and "Pôle b" not in text
    response = rita_client.post(
        reverse("admin:poles_pole_export"),
        {"format": "0", "export_items": [mine["poles.pole"].pk, theirs["poles.pole"].pk]},
    )
    assert "Pôle b" not in response.content.decode("utf-8-sig", errors="replace")


def test_an_import_mixing_regions_refuses_the_other_regions_rows(rita_client, two_regions):
    mine, theirs = two_regions
    csv = (
        "nom;identifiant;région\n"
        f"Pôle nouveau A;;{mine['poles.region'].code}\n"
        f"Pôle nouveau B;;{theirs['poles.region'].code}\n"
        f"Pôle b repris;{theirs['poles.pole'].slug};{mine['poles.region'].code}\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = rita_client.post(
        reverse("admin:poles_pole_import"),
        {"format": "0", "import_file": SimpleUploadedFile("mix.csv", csv, "text/csv")},
    )
    html = response.content.decode()
    refused = set(re.findall(r"ligne (\d) : hors de vos régions", html))
    assert refused == {"3"}
    # B's pole is, to the curator's file, a pole that does not exist, whose identifier is
    # taken (identifiers are unique across the registry: its public address).
    assert "ligne 4, colonne « identifiant »" in html and "existe déjà" in html
    theirs["poles.pole"].refresh_from_db()
    assert theirs["poles.pole"].region == theirs["poles.region"]
    assert not Pole.objects.filter(name__startswith="Pôle nouveau").exists()


def test_a_revert_to_a_version_of_another_region_is_refused(rita_client, two_regions):
    mine, theirs = two_regions
    pole = mine["poles.pole"]
    pole.region = theirs["poles.region"]
    pole.save()  # once in region B (a version of the history)...
    old = pole.history.first().history_id
    pole.region = mine["poles.region"]
    pole.save()  # ...now in region A, the curator's
    url = reverse("admin:poles_pole_simple_history", args=[pole.pk, old])
    form = rita_client.get(url).context["adminform"].form
    data = {
        key: value for key, value in form.initial.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    data.update({f"{prefix}-{key}": 0 for prefix in ("memberships", "applications")
                 for key in ("TOTAL_FORMS", "INITIAL_FORMS")})
    response = rita_client.post(url, data)
    assert "relève de vos régions" in str(response.context["adminform"].form.non_field_errors())
    pole.refresh_from_db()
    assert pole.region == mine["poles.region"]


def test_a_shared_organisation_shows_only_the_curators_memberships(rita_client, two_regions):
    mine, theirs = two_regions
    organisation = mine["members.organisation"]
    MembershipFactory(pole=theirs["poles.pole"], organisation=organisation)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    formset = rita_client.get(url).context["inline_admin_formsets"][0].formset
    assert [form.instance.pole for form in formset.forms] == [mine["poles.pole"]]
    merge = reverse("admin:poles_poleproposal_merge", args=[mine["poles.poleproposal"].pk])
    response = rita_client.post(merge, {"pole": theirs["poles.pole"].pk})
    assert "pole" in response.context["form"].errors
    assert PoleProposal.objects.get(pk=mine["poles.poleproposal"].pk).pole is None


def test_the_import_command_applies_the_users_regions(two_regions, tmp_path):
    from django.core.management import CommandError, call_command

    mine, theirs = two_regions
    regional_curator(mine["poles.region"], username="remi")
    path = tmp_path / "adhesions.csv"
    organisation = mine["members.organisation"]
    path.write_text(
        "pôle;organisation;rôle\n"
        f"{mine['poles.pole'].slug};{organisation.slug};Partenaire\n"
        f"{theirs['poles.pole'].slug};{organisation.slug};Partenaire\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), "--user", "remi", stdout=open("/dev/null", "w"))
    assert not theirs["poles.pole"].memberships.filter(organisation=organisation).exists()
    call_command("import_registry", str(path), stdout=open("/dev/null", "w"))  # national
    assert theirs["poles.pole"].memberships.filter(organisation=organisation).exists()


def test_an_add_page_asked_with_a_row_of_another_region_does_not_name_it(rita_client, two_regions):
    mine, theirs = two_regions
    pole_b = theirs["poles.pole"]
    url = reverse("admin:members_membership_add")
    html = rita_client.get(url, {"pole": pole_b.pk}).content.decode()
    assert pole_b.name not in html
    html = rita_client.get(url, {"pole": mine["poles.pole"].pk}).content.decode()
    assert mine["poles.pole"].name in html


def test_sectors_count_only_the_curators_poles(rita_client, two_regions):
    from tests.factories import SectorFactory

    sector = SectorFactory(name="Culture")
    for rows in two_regions:
        rows["poles.pole"].sectors.add(sector)
    response = rita_client.get(reverse("admin:poles_sector_changelist"))
    assert [row.pole_count for row in response.context["cl"].result_list] == [1]


def test_organisations_count_only_the_curators_poles(rita_client, two_regions, curator):
    """An organisation shared with another region's pole: the regional curator's list counts
    their own pole only (the other is not theirs to know of); a national curator counts both."""
    mine, theirs = two_regions
    organisation = mine["members.organisation"]
    MembershipFactory(pole=theirs["poles.pole"], organisation=organisation)
    url = reverse("admin:members_organisation_changelist")
    national = Client()
    national.force_login(curator)
    for client, expected in ((rita_client, 1), (national, 2)):
        rows = client.get(url, {"q": organisation.name}).context["cl"].result_list
        assert {row.pk: row.pole_count for row in rows}[organisation.pk] == expected
