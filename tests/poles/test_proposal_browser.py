"""The "Proposer un pôle" form in a real browser, on a desktop and a phone: filled in with the
keyboard and the mouse, sent, and the page that says to confirm the address."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from poles.models import PoleProposal
from tests.conftest import CHROMIUM
from tests.factories import RegionFactory, SectorFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 1000}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_visitor_proposes_a_pole_and_is_asked_to_confirm(browser_pages, live_server, device):
    RegionFactory(code="52", name="Pays de la Loire", slug="pays-de-la-loire")
    SectorFactory(name="Alimentation")
    page = browser_pages(**DEVICES[device])  # it records the page's script errors: `problems`
    page.goto(live_server.url + "/poles/")
    page.get_by_role("link", name="Un pôle manque ? Proposer un pôle").click()
    page.get_by_label("Nom du pôle").fill("Pôle des Mauges")
    page.get_by_label("Région").select_option(label="Pays de la Loire")
    page.get_by_label("Présentation en quelques phrases").fill("Des achats mutualisés.")
    page.get_by_label("Alimentation").check()
    page.get_by_label("Votre nom et prénom").fill("Lucie Martin")
    page.get_by_label("Votre adresse e-mail").fill("lucie@example.org")
    page.get_by_label("J'accepte que l'équipe du registre me contacte").check()
    page.get_by_role("button", name="Envoyer ma proposition").click()

    status = page.get_by_role("status")
    assert "ouvrez le lien qu'il contient" in status.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Merci\xa0! Confirmez maintenant votre adresse"
    )
    # Nothing overflows the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    proposal = PoleProposal.objects.get()
    assert proposal.status == PoleProposal.Status.UNCONFIRMED
    assert [sector.name for sector in proposal.sectors.all()] == ["Alimentation"]

    link = re.search(r"http://\S+/proposer/confirmer/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + link.split("testserver", 1)[-1])
    page.get_by_role("button", name="Confirmer ma proposition").click()
    # The answer's heading is awaited: inner_text() would read the page being left.
    expect(page.get_by_role("heading")).to_contain_text("votre proposition est confirmée")
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.PENDING
    assert page.problems == []


def test_the_proposal_and_contact_pages_have_no_accessibility_violation(
    browser_pages, live_server
):
    from tests.test_accessibility import axe_page, axe_violations

    RegionFactory(code="52", name="Pays de la Loire", slug="pays-de-la-loire")
    SectorFactory(name="Alimentation")
    page = axe_page(browser_pages, viewport={"width": 1280, "height": 900})
    problems = {}
    for url in ("/proposer/", "/proposer/merci/", "/proposer/confirmer/inconnu/", "/contact/"):
        page.goto(live_server.url + url)
        problems[url] = axe_violations(page)
    # The form sent empty: its errors too.
    page.goto(live_server.url + "/proposer/")
    page.get_by_role("button", name="Envoyer ma proposition").click()
    # count() does not wait: the answer's page is awaited first, or the old one is counted.
    page.locator(".field-errors").first.wait_for()
    assert page.locator(".field-errors").count() >= 4
    problems["/proposer/ (erreurs)"] = axe_violations(page)
    assert {url: found for url, found in problems.items() if found} == {}
