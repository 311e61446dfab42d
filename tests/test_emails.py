"""E-mail subjects and plain-text bodies show names as they are typed: no HTML escaping, and
no header injection through a newline (issue #10, item 4)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from poles.leadership import services
from ptce_site.emails import build_message
from tests.factories import PoleFactory, UserFactory
from tests.poles.test_notifications import edit, login
from tests.poles.test_space import form_data

pytestmark = pytest.mark.django_db

POLE = "Marmite d'Afrique & \"Taf\" <Maffe>"
PERSON = "Seán O'Brien & Co"


@pytest.fixture
def tricky_pole(db):
    return PoleFactory(name=POLE, slug="marmite")


def assert_plain(message):
    assert "&#x27;" not in message.subject + message.body
    assert "&amp;" not in message.subject + message.body
    assert "&lt;" not in message.subject + message.body
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.alternatives == []


def test_the_invitation_subject_and_body_show_the_pole_as_typed(tricky_pole, curator):
    services.invite_leader(pole=tricky_pole, email="o.brien@example.org", invited_by=curator)
    (message,) = mail.outbox
    assert message.subject == (
        f"Invitation à mettre à jour la fiche de « {POLE} » sur le registre des PTCE"
    )
    assert f"la fiche du pôle « {POLE} »" in message.body
    assert_plain(message)


def test_claim_emails_show_names_as_typed_and_a_newline_adds_no_header(tricky_pole, curator):
    name = f"{PERSON}\nBcc: victime@example.org"
    claim = services.create_claim_request(
        pole=tricky_pole, name=name, role="Coordinatrice", email="sean@example.org",
        message="Bonjour <b>l'équipe</b> & merci",
    )
    (staff_message,) = mail.outbox
    assert staff_message.subject == (
        f"Demande de gestion de « {POLE} » par {PERSON} Bcc: victime@example.org"
    )
    assert "Bonjour <b>l'équipe</b> & merci" in staff_message.body
    assert staff_message.bcc == [] and "victime" not in str(staff_message.message()["Bcc"])
    assert_plain(staff_message)

    services.refuse_claim(claim=claim, decided_by=curator, reason="Pas d'accord <ici> & là")
    refusal = mail.outbox[-1]
    assert refusal.subject == f"Votre demande concernant « {POLE} » sur le registre des PTCE"
    assert f"Bonjour {PERSON}" in refusal.body and "Pas d'accord <ici> & là" in refusal.body
    assert_plain(refusal)


def test_staff_notice_of_a_leaders_edit_is_plain(tricky_pole, curator, settings,
                                                 django_capture_on_commit_callbacks):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    leader = UserFactory(username="sean", first_name="Seán", last_name="O'Brien & Co")
    tricky_pole.leaders.add(leader)
    with django_capture_on_commit_callbacks(execute=True):
        edit(login(leader), tricky_pole, summary="Résumé <court> & \"net\"")
    (message,) = mail.outbox
    assert message.subject == f"[Registre des PTCE] Seán O'Brien & Co (sean) a modifié « {POLE} »"
    assert "Résumé <court> & \"net\"" in message.body
    assert_plain(message)


def test_the_password_reset_email_is_plain_and_in_french():
    UserFactory(username="o'brien&co", email="sean@example.org")
    Client().post(reverse("password_reset"), {"email": "sean@example.org"}, HTTP_HOST="testserver")
    (message,) = mail.outbox
    assert message.subject == "Registre des PTCE : choisir un nouveau mot de passe"
    assert "http://testserver/compte/reset/" in message.body
    assert_plain(message)


def test_an_html_part_would_stay_escaped(tmp_path, settings):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "essai_subject.txt").write_text("{{ name }}")
    (tmp_path / "emails" / "essai.txt").write_text("{{ name }}")
    (tmp_path / "emails" / "essai.html").write_text("<p>{{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    message = build_message("essai", {"name": "<b>O'Brien</b>"}, ["a@example.org"])
    assert message.subject == "<b>O'Brien</b>" and message.body == "<b>O'Brien</b>"
    assert message.alternatives[0].content == "<p>&lt;b&gt;O&#x27;Brien&lt;/b&gt;</p>"


def test_a_line_break_in_a_claims_name_is_refused_so_no_line_reaches_an_email(client, pole):
    response = client.post(
        reverse("poles:pole-claim", args=[pole.slug]),
        {"name": "Jean\r\nFaux lien : http://evil.example/admin/", "role": "Président\n",
         "email": "jean@example.org", "message": "Un message\nsur deux lignes", "website": ""},
    )
    assert response.status_code == 400
    assert "Écrivez ce champ sur une seule ligne" in response.content.decode()
    assert mail.outbox == []


def test_a_forged_line_break_in_a_territory_is_refused(pole, alice):
    response = login(alice).post(
        reverse("space:edit-pole", args=[pole.slug]),
        form_data(pole, territory="Bray\nFaux lien : http://evil.example/"),
    )
    assert response.status_code == 400
    assert "Écrivez ce champ sur une seule ligne" in response.content.decode()
