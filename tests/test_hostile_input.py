"""Hostile input on the pages added for pole leaders and staff: a clear answer, never a 500.

Run on SQLite and PostgreSQL; PostgreSQL is the strict one (NUL bytes refused in text,
column lengths enforced)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOSTILE = {
    "nul": "\x00",
    "nul-inside": "a\x00b",
    "sql": "'; DROP TABLE poles_pole;--",
    "long": "a" * 5000,
    "html": "<script>x</script>",
    "accents": "é" * 300,
}


@pytest.fixture
def clients(alice, pole, curator):
    pole.is_published = True
    pole.save()
    leader = Client(raise_request_exception=False)
    leader.force_login(alice)
    staff = Client(raise_request_exception=False)
    staff.force_login(curator)
    return {"anonymous": Client(raise_request_exception=False), "leader": leader, "staff": staff}


def requests_for(pole, value: str):
    """(who, method, url, data) of every form and search a visitor can fill in."""
    return [
        ("leader", "get", reverse("space:organisation-search"), {"q": value}),
        ("leader", "post", reverse("space:edit-pole", args=[pole.slug]),
         {"version": value, "snapshot": value, "summary": value, "commune_code": value}),
        ("leader", "post", reverse("space:pole-members", args=[pole.slug]),
         {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-organisation": value,
          "form-0-new_name": value, "form-0-role": "member", "version": str(pole.version)}),
        ("anonymous", "post", reverse("poles:pole-claim", args=[pole.slug]),
         {"name": value, "role": value, "email": value, "message": value}),
        ("anonymous", "post", reverse("login"), {"username": value, "password": value}),
        ("anonymous", "post", reverse("password_reset"), {"email": value}),
        ("anonymous", "get", "/compte/invitation/" + "x" * 43 + "/", {"q": value}),
        ("staff", "post", reverse("admin:poles_pole_invite", args=[pole.pk]), {"email": value}),
        ("staff", "get", reverse("admin:poles_claimrequest_changelist"), {"q": value}),
        ("staff", "get", reverse("admin:poles_invitation_changelist"), {"q": value}),
        ("staff", "get", reverse("admin:axes_accessattempt_changelist"), {"q": value}),
    ]


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_values_get_an_answer_never_a_server_error(clients, pole, value):
    errors = []
    for who, method, url, data in requests_for(pole, value):
        response = getattr(clients[who], method)(url, data)
        if response.status_code >= 500:
            errors.append((who, method, url, response.status_code))
    assert errors == []


def test_a_failed_login_with_an_absurd_username_says_so(db):
    response = Client().post(reverse("login"), {"username": "é" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
