import pytest
from django.contrib.auth.models import Group
from django.test.utils import override_settings

from ptce_site.curators import CURATORS_GROUP
from tests.factories import PoleFactory, UserFactory

PASSWORD = "motdepasse-solide-2026"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Django's default hasher costs most of a second per password set or checked; the tests
    check who may do what, not the hasher (Django's documentation recommends this)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def _site_url():
    """The site's address is the test client's host, as SITE_URL is the real host's."""
    with override_settings(SITE_URL="http://testserver"):
        yield


@pytest.fixture
def curator(db):
    """Network staff: staff member of the Curators group, not a superuser."""
    user = UserFactory(username="claire", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def stranger(db):
    """A logged-in user who is neither staff nor a leader of any pole."""
    return UserFactory(username="charlie")


@pytest.fixture
def pole(db):
    return PoleFactory(name="Pôle Sud Archer")


@pytest.fixture
def alice(pole):
    """Leads the pole."""
    user = UserFactory(username="alice")
    pole.leaders.add(user)
    return user


@pytest.fixture
def bob(db):
    """Leads another pole."""
    user = UserFactory(username="bob")
    PoleFactory(name="Autre pôle").leaders.add(user)
    return user


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Every test starts with an empty cache, in memory or in Redis, and without the page cache
    (on by default with REDIS_URL), so that each page is built and its context and queries are
    there to check; tests/test_cache.py turns it on."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 0
    cache.clear()
    yield
    cache.clear()
