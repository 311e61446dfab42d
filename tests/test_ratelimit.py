"""Forms that send e-mail have a volume limit per client address and per target, over a
sliding window, held in the shared cache (issue #10, item 3)."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from poles.models import ClaimRequest
from ptce_site import ratelimit
from tests.conftest import PASSWORD
from tests.factories import PoleFactory, UserFactory
from tests.poles.test_claims import claim_data, claim_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.EMAIL_FORM_LIMIT_PER_CLIENT = 5
    settings.EMAIL_FORM_LIMIT_PER_TARGET = 3
    settings.EMAIL_FORM_WINDOW_MINUTES = 60


def test_twenty_claims_from_one_client_make_five_requests_and_one_staff_email(pole, curator):
    client = Client()
    statuses = [
        client.post(claim_url(pole), claim_data(email=f"personne{n}@example.org")).status_code
        for n in range(20)
    ]
    assert statuses == [302] * 5 + [429] * 15  # the client's limit
    assert ClaimRequest.objects.count() == 5
    assert len(mail.outbox) == 1  # staff: one e-mail for this pole in the window

    other = PoleFactory(name="Autre pôle")
    elsewhere = Client(REMOTE_ADDR="192.0.2.50")
    assert elsewhere.post(claim_url(other), claim_data()).status_code == 302
    assert len(mail.outbox) == 2  # another pole: its own e-mail


def test_three_claims_from_one_address_do_not_lock_a_pole(pole):
    for n in range(3):
        Client().post(claim_url(pole), claim_data(email=f"p{n}@example.org"))
    genuine = Client(REMOTE_ADDR="192.0.2.77")
    assert genuine.post(claim_url(pole), claim_data(email="vraie@example.org")).status_code == 302


def test_spellings_of_one_address_share_its_limit():
    UserFactory(username="susan", email="susan.ross@example.org")
    # PostgreSQL finds the account for the long s (ſ) too; SQLite only for ASCII case.
    spellings = ["susan.ross@example.org", "SUSAN.ROSS@example.org", " Susan.Ross@Example.org ",
                 "ſusan.roſs@example.org", "ſuſan.ross@example.org"]
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse("password_reset"), {"email": spelling})
        .status_code
        for n, spelling in enumerate(spellings)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


def test_past_the_limit_the_page_is_french_and_says_when_to_come_back(pole):
    client = Client()
    for n in range(5):
        client.post(claim_url(PoleFactory()), claim_data(email=f"p{n}@example.org"))
    response = client.post(claim_url(pole), claim_data(email="p9@example.org"))
    assert response.status_code == 429
    # A sliding window counter lets an attempt fade over the next window: at most two.
    assert 1 <= int(response["Retry-After"]) <= 2 * 3600
    html = response.content.decode()
    assert "Trop de demandes" in html and "Réessayez dans" in html
    assert "private" in response["Cache-Control"]


def test_one_address_is_limited_across_clients(pole):
    poles = [pole, *PoleFactory.create_batch(3)]
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}")
        .post(claim_url(target), claim_data(email="cible@example.org"))
        .status_code
        for n, target in enumerate(poles)
    ]
    assert statuses == [302, 302, 302, 429]


def test_a_client_over_its_limit_uses_up_nobody_elses_allowance(pole):
    flooder = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(8):
        flooder.post(claim_url(PoleFactory()), claim_data(email=f"x{n}@example.org"))
    # The flooder's refused posts did not count against the pole or the address.
    other = Client(REMOTE_ADDR="198.51.100.8")
    assert other.post(claim_url(pole), claim_data(email="x7@example.org")).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, pole):
    settings.BEHIND_HTTPS_PROXY = True
    for n in range(5):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.1")
        client.post(claim_url(PoleFactory()), claim_data(email=f"y{n}@example.org"))
    # Whatever the client writes first, the proxy's last entry identifies it.
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99, 192.0.2.1")
    assert client.post(claim_url(pole), claim_data()).status_code == 429
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.2")
    assert client.post(claim_url(pole), claim_data()).status_code == 302


def test_ten_password_resets_for_one_address_send_three_emails():
    UserFactory(username="nadia", email="nadia@example.org")
    statuses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}")
        .post(reverse("password_reset"), {"email": "Nadia@example.org"})
        .status_code
        for n in range(10)
    ]
    assert statuses == [302] * 3 + [429] * 7
    assert len(mail.outbox) == 3


def test_password_resets_from_one_client_are_limited():
    client = Client()
    statuses = [
        client.post(reverse("password_reset"), {"email": f"n{n}@example.org"}).status_code
        for n in range(7)
    ]
    assert statuses == [302] * 5 + [429] * 2


def test_the_window_slides():
    window = 3600
    start = 1_000 * window  # the start of a fixed window
    for second in range(3):
        assert ratelimit.hit("t", "a", limit=3, window=window, now=start + 3000 + second).allowed
    # The next window starts 10 minutes later: a fixed window would allow 3 more at once.
    refused = ratelimit.hit("t", "a", limit=3, window=window, now=start + window + 1)
    assert not refused.allowed and refused.retry_after > 0
    # Once the earlier attempts have faded enough, one more is allowed.
    assert ratelimit.hit("t", "a", limit=3, window=window, now=start + 2 * window - 60).allowed


def test_a_limit_holds_in_the_shared_cache_across_processes(settings):
    """With Redis, another worker (another connection) sees the same counts."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("REDIS_URL is not set: the per-process cache is not shared")
    from django.core.cache import caches

    for _ in range(2):
        ratelimit.hit("shared", "k", limit=2, window=60, now=120.0)
    caches["default"].close()  # a new connection, as another worker would have
    assert not ratelimit.hit("shared", "k", limit=2, window=60, now=121.0).allowed


def test_behind_a_proxy_the_login_lockout_keys_on_the_client_not_the_proxy(settings):
    """Axes takes the client's address from the same rule as the form limits."""
    settings.BEHIND_HTTPS_PROXY = True
    UserFactory(username="lea")
    attacker = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "8.8.8.8, 198.51.100.3"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(**attacker).post(reverse("login"), {"username": "lea", "password": "faux"})
    assert AccessAttempt.objects.get().ip_address == "198.51.100.3"
    locked = Client(**attacker).post(reverse("login"), {"username": "lea", "password": PASSWORD})
    assert locked.status_code == 429
    # Lea herself, through the same proxy from another address, still logs in.
    lea = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9")
    response = lea.post(reverse("login"), {"username": "lea", "password": PASSWORD})
    assert response.status_code == 302
