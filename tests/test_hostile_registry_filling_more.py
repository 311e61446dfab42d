"""Filling the registry as a hostile user would, continued: merges and slugs, HTML in proposals,
accounts and logins, narrow screens."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from poles.models import Pole, PoleProposal
from tests.conftest import PASSWORD
from tests.factories import PoleFactory, RegionFactory, SectorFactory, UserFactory
from tests.poles.test_proposals import FORM_URL, change_url, proposal_data
from tests.test_hostile_registry_filling import (
    CONTACT_URL,
    confirmed,
    contact_data,
    create_pole_from,
    page_text,
)

pytestmark = pytest.mark.django_db


def test_merging_into_a_deleted_pole_is_refused_and_into_an_unpublished_one_publishes_nothing(
    client, curator_client, region
):
    proposal = confirmed(client, region, wants_to_lead=None)
    gone = PoleFactory(name="Mauges disparu")
    gone_pk = gone.pk
    gone.delete()
    url = reverse("admin:poles_poleproposal_merge", args=[proposal.pk])
    response = curator_client.post(url, {"pole": gone_pk})
    assert response.status_code == 200 and "Sélectionnez un choix valide" in page_text(response)
    assert curator_client.post(url, {"pole": "9" * 40}).status_code == 200
    proposal.refresh_from_db()
    assert proposal.is_pending

    hidden = PoleFactory(name="Coopérative des Mauges", is_published=False)
    curator_client.post(url, {"pole": hidden.pk})
    hidden.refresh_from_db()
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.MERGED and not hidden.is_published


def test_creating_a_pole_whose_name_takes_an_existing_slug_gets_a_free_one(
    client, curator_client, region
):
    PoleFactory(name="Ancien", slug="pole-cooperative-des-mauges")
    PoleFactory(name="Ancien 2", slug="pole-cooperative-des-mauges-2")
    pole = create_pole_from(curator_client, confirmed(client, region, wants_to_lead=None))
    assert pole.slug == "pole-cooperative-des-mauges-3"
    # A name with no letter a URL can hold still makes a pole.
    pole = create_pole_from(
        curator_client, confirmed(Client(), region, name="★ ★ ★", proposer_email="b@c.org")
    )
    assert pole.slug == "pole"
    Pole.objects.filter(pk=pole.pk).update(is_published=True)
    assert Client().get(pole.get_absolute_url()).status_code == 200


def test_html_in_every_field_of_a_proposal_is_text_in_the_admin_pages(
    client, curator_client, region
):
    script = "<script>alert(1)</script>"
    proposal = confirmed(
        client,
        region,
        name=f"{script} Mauges",
        summary=script,
        proposer_name=script,
        proposer_role=script,
        message=script,
    )
    PoleFactory(name="Mauges")
    for url in (
        change_url(proposal),
        reverse("admin:poles_poleproposal_merge", args=[proposal.pk]),
        reverse("admin:poles_poleproposal_refuse", args=[proposal.pk]),
        reverse("admin:poles_poleproposal_changelist"),
    ):
        html = curator_client.get(url).content.decode()
        assert script not in html and "&lt;script&gt;" in html, url


# One-line fields, e-mails, limits -------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_breaks_are_refused_in_one_line_fields(client, region, settings, separator):
    """Defect: the staff's e-mail showed « De : Eve » and, on a line of its own,
    « Bcc: victime@example.org », which seemed to come from the registry."""
    settings.CONTACT_EMAIL = "equipe@registre.example"
    forged = f"Eve{separator}Bcc: victime@example.org"
    for field in ("name", "subject"):
        response = client.post(CONTACT_URL, contact_data(**{field: forged}))
        assert response.status_code == 400 and "sur une seule ligne" in page_text(response)
    for field in ("name", "proposer_name", "proposer_role"):
        response = client.post(FORM_URL, proposal_data(region, **{field: forged}))
        assert response.status_code == 400 and "sur une seule ligne" in page_text(response)
    assert not mail.outbox and not PoleProposal.objects.exists()
    # In a message, a line break is a line break.
    response = client.post(CONTACT_URL, contact_data(message=f"Ligne 1{separator}Ligne 2"))
    assert response.status_code == 302 and len(mail.outbox) == 1


def test_the_contact_email_keeps_html_as_text_and_a_huge_message_gets_a_french_error(
    client, settings
):
    settings.CONTACT_EMAIL = "equipe@registre.example"
    response = client.post(CONTACT_URL, contact_data(message="x" * 100_000))
    assert response.status_code == 400 and "au plus 5000 caractères" in page_text(response)
    assert not mail.outbox
    client.post(CONTACT_URL, contact_data(subject="<b>Objet</b>", message="<img src=x>"))
    message = mail.outbox[0]
    assert message.to == ["equipe@registre.example"] and message.reply_to == ["jeanne@example.org"]
    assert "<b>Objet</b>" in message.subject and "<img src=x>" in message.body
    assert "\n" not in message.subject and not message.alternatives


@pytest.mark.parametrize("behind_proxy", [False, True])
def test_a_forged_x_forwarded_for_does_not_bypass_the_limit(client, settings, behind_proxy):
    settings.CONTACT_EMAIL = "equipe@registre.example"
    settings.BEHIND_HTTPS_PROXY = behind_proxy
    settings.EMAIL_FORM_LIMIT_PER_CLIENT = 2
    statuses = []
    for number in range(4):
        # What a client writes comes first; a proxy appends the address it saw, last.
        forwarded = f"10.0.0.{number}, 203.0.113.7" if behind_proxy else f"10.0.0.{number}"
        response = client.post(
            CONTACT_URL,
            contact_data(email=f"n{number}@example.org"),
            HTTP_X_FORWARDED_FOR=forwarded,
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429, 429] and len(mail.outbox) == 2


def test_the_mail_failure_message_follows_the_pages_language(client, region, settings):
    """Defect: the message was translated once, when the module was imported: French on the
    English page."""
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_claims.BrokenBackend"}}
    response = client.post(FORM_URL + "?lang=en", proposal_data(region))
    text = page_text(response)
    assert response.status_code == 400
    assert "nothing has been saved" in text and "rien n'a été enregistré" not in text, text


def test_the_new_pages_speak_english(client):
    for url, expected in (
        (FORM_URL, "Propose a cluster"),
        ("/proposer/merci/", "confirm"),
        ("/proposer/confirmer/inconnu/", "link"),
        (CONTACT_URL, "Write to the registry team"),
        ("/contact/merci/", "registry team"),
    ):
        response = client.get(url + "?lang=en")
        text = page_text(response)
        assert expected in text, (url, text[:300])
        for french in ("Proposer un pôle", "Votre adresse", "Envoyer", "équipe du registre"):
            assert french not in text, (url, french)


# Login by e-mail -------------------------------------------------------------------------------


def login(identifier: str, password: str) -> tuple[int, str | None]:
    client = Client()
    response = client.post(reverse("login"), {"username": identifier, "password": password})
    return response.status_code, client.session.get("_auth_user_id")


def account(username: str, email: str, password: str, **fields):
    user = UserFactory(username=username, email=email, **fields)
    user.set_password(password)
    user.save()
    return user


def test_an_address_shared_by_two_accounts_opens_only_the_account_of_the_password(db):
    first = account("premier", "Commun@Example.org", "mot-de-passe-un")
    second = account("second", "commun@example.org", "mot-de-passe-deux")
    assert login("commun@example.org", "mot-de-passe-un") == (302, str(first.pk))
    assert login("COMMUN@example.org", "mot-de-passe-deux") == (302, str(second.pk))
    assert login("commun@example.org", "autre-chose") == (200, None)
    # A username that is someone else's address does not take their login.
    victim = account("victime", "victime@example.org", "mot-de-passe-v")
    account("victime@example.org", "autre@example.org", "mot-de-passe-x")
    assert login("victime@example.org", "mot-de-passe-v") == (302, str(victim.pk))


def test_an_inactive_account_cannot_log_in_by_its_address(db):
    account("partie", "partie@example.org", "mot-de-passe-p", is_active=False)
    status, user = login("partie@example.org", "mot-de-passe-p")
    assert (status, user) == (200, None)


def test_variants_of_an_address_count_as_one_account_for_the_lockout(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    account("lea", "lea@example.org", PASSWORD)
    for identifier in ("lea@example.org", " LEA@example.org "):
        assert login(identifier, "mauvais")[0] == 200
    assert login("lea", "mauvais")[0] == 429  # the third failure, whatever was typed
    assert login("Lea@Example.ORG", PASSWORD)[0] == 429
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["lea"]


def test_invitations_still_work_with_login_by_address(client, curator_client, region):
    proposal = confirmed(client, region)
    create_pole_from(curator_client, proposal)
    link = re.search(r"http://testserver(/compte/invitation/\S+/)", mail.outbox[-1].body)[1]
    visitor = Client()
    response = visitor.post(
        link, {"new_password1": "Une phrase longue 42", "new_password2": "Une phrase longue 42"}
    )
    assert response.status_code == 302
    assert login("lucie.martin@example.org", "Une phrase longue 42")[0] == 302
    assert login("Lucie.Martin@Example.org", "Une phrase longue 42")[0] == 302


def test_a_sector_left_out_by_the_seed_is_not_shown_on_its_page(seeded):
    """The seed shows no invented fact: no sectors, status or place the documents do not give
    (DOMAIN.md, « What the documents do not say »)."""
    for name in ("Les Gouttes d'Or", "Musiques actuelles", "Alpilles"):
        pole = Pole.objects.get(name__icontains=name)
        text = page_text(Client().get(pole.get_absolute_url()))
        assert "Secteurs d'activité Non renseignés." in text, name
        assert "Statut : Non renseigné" in text and "Fiche mise à jour" not in text, name
    assert not SectorFactory._meta.model.objects.filter(poles__name__icontains="Gouttes").exists()


# In a browser: a 360 px phone and the keyboard -------------------------------------------------

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_new_pages_fit_a_360_px_phone(browser_pages, live_server, settings):
    region = RegionFactory(code="52", name="Pays de la Loire", slug="pays-de-la-loire")
    leader = account("porteuse", "porteuse@example.org", PASSWORD)
    pole = PoleFactory(
        name="Pôle territorial de coopération économique des Mauges et du Choletais",
        region=region,
        summary="Un résumé.",
    )
    pole.leaders.add(leader)
    page = browser_pages(**PHONE)
    wide = {}
    for url in (
        FORM_URL,
        FORM_URL + "?lang=en",
        "/proposer/merci/",
        "/proposer/confirmer/inconnu/",
        CONTACT_URL,
        CONTACT_URL + "?lang=en",
        "/contact/merci/",
        pole.get_absolute_url(),
    ):
        page.goto(live_server.url + url)
        wide[url] = overflows(page)
    # The form's errors, every field at once.
    page.goto(live_server.url + FORM_URL)
    page.get_by_role("button", name="Envoyer ma proposition").click()
    page.locator(".field-errors").first.wait_for()  # the answer, not the page being left
    wide["/proposer/ (erreurs)"] = overflows(page)
    # A leader logs in with their address, then reads what their pole lacks.
    page.goto(live_server.url + reverse("login"))
    wide["login"] = overflows(page)
    page.get_by_label("Adresse e-mail").fill("Porteuse@Example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/espace/**")
    assert page.get_by_role("link", name="Écrire une description").count() == 1
    wide["/espace/"] = overflows(page)
    assert {url: True for url, too_wide in wide.items() if too_wide} == {}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_contact_form_is_filled_and_sent_with_the_keyboard_alone(
    browser_pages, live_server, settings
):
    settings.CONTACT_EMAIL = "equipe@registre.example"
    page = browser_pages(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + CONTACT_URL)
    page.get_by_label("Votre nom").focus()
    focused = []
    for text in ("Jeanne Dupont", "jeanne@example.org", "Une correction", "Bonjour."):
        page.keyboard.type(text)
        focused.append(page.evaluate("document.activeElement.name"))
        page.keyboard.press("Tab")
    # The hidden field bots fill in is skipped; the button comes next.
    assert focused == ["name", "email", "subject", "message"]
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    page.wait_for_url("**/contact/merci/")
    assert (
        "Merci, votre message est envoyé" in page.get_by_role("heading", level=1).inner_text()
    )
    assert len(mail.outbox) == 1 and "Bonjour." in mail.outbox[0].body


def test_a_leader_changes_their_password_from_the_space_then_logs_in_by_address(alice, pole):
    alice.email = "alice@example.org"
    alice.save()
    client = Client()
    client.force_login(alice)
    space = client.get(reverse("space:my-poles")).content.decode()
    assert "Changer mon mot de passe" in space
    url = reverse("password_change")
    assert f'href="{url}"' in space
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Un nouveau mot de passe 7",
            "new_password2": "Un nouveau mot de passe 7",
        },
    )
    assert response.status_code == 302
    assert login("ALICE@example.org", "Un nouveau mot de passe 7") == (302, str(alice.pk))
    assert login("alice@example.org", PASSWORD) == (200, None)
