"""Regional curators (issue #16) on the admin's pages that belong to no model's admin: the
« Voir sur le site » redirect (``/admin/r/<type>/<id>/``) reaches only what the account may see
in the admin, as every page of one object does."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from members.models import Organisation
from poles.models import Pole
from tests.factories import OrganisationFactory, PoleFactory, RegionFactory, UserFactory
from tests.poles.test_regional_curators import regional_curator

pytestmark = pytest.mark.django_db


def view_on_site(client, obj):
    content_type = ContentType.objects.get_for_model(type(obj))
    return client.get(reverse("admin:view_on_site", args=[content_type.pk, obj.pk]))


def test_view_on_site_reaches_only_what_the_account_may_see(client, curator):
    """Django's redirect checked nothing: walking the ids, a regional curator (or any staff
    account) got the address, so the name, of every pole and organisation, unpublished poles of
    other regions included."""
    region_a, region_b = RegionFactory(), RegionFactory()
    mine = PoleFactory(region=region_a)
    theirs = PoleFactory(region=region_b, name="Pôle Secret", is_published=False)
    organisation = OrganisationFactory(region=region_b)
    client.force_login(regional_curator(region_a))
    assert view_on_site(client, mine)["Location"].endswith(mine.get_absolute_url())
    assert view_on_site(client, theirs).status_code == 404
    assert view_on_site(client, organisation).status_code == 404
    client.force_login(UserFactory(is_staff=True))  # staff, with no permission
    assert view_on_site(client, mine).status_code == 404
    client.force_login(curator)
    assert view_on_site(client, theirs)["Location"].endswith(theirs.get_absolute_url())
    assert view_on_site(client, organisation)["Location"].endswith("/" + organisation.slug + "/")
    assert Pole.objects.count() == 2 and Organisation.objects.count() == 1
