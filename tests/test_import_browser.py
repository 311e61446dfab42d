"""The admin's import preview in a real browser (ptce_site/import_admin.py): a curator uploads
a file, sees each row as new, changed or in error, confirms, and finds the poles listed."""

import os

import pytest
from django.urls import reverse

from poles.models import Pole
from tests.conftest import CHROMIUM
from tests.factories import CuratorFactory, PoleFactory, RegionFactory
from tests.poles.test_map_browser import log_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def test_a_curator_previews_then_confirms_an_import(live_server, browser_pages, tmp_path):
    RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="ara")
    PoleFactory(name="Pôle Existant", slug="pole-existant", territory="Ancien")
    CuratorFactory(username="curatrice")
    good = tmp_path / "reseau.csv"
    good.write_text(
        "nom;identifiant;région;territoire\n"
        "Pôle Nouveau;;84;Neuf\nPôle Existant;pole-existant;84;Nouveau\n",
        encoding="utf-8",
    )
    bad = tmp_path / "erreurs.csv"
    bad.write_text("nom;région;statut\nPôle Faux;Atlantide;Actif\n", encoding="utf-8")
    page = browser_pages()
    log_in(page, live_server.url, "curatrice")
    page.goto(live_server.url + reverse("admin:poles_pole_import"))

    # A file with errors: each is said with its line and column, no confirm button.
    page.set_input_files("#id_import_file", str(bad))
    with page.expect_navigation():
        page.click("form input[type=submit]")
    preview = page.locator("table.import-preview")
    assert "ligne 2, colonne « région » : « Atlantide »" in preview.inner_text()
    assert page.locator("input[name=confirm]").count() == 0

    # A good file: new and changed rows, before and after; nothing written yet.
    page.set_input_files("#id_import_file", str(good))
    with page.expect_navigation():
        page.click("form input[type=submit]")
    rows = page.locator("table.import-preview tbody tr")
    assert rows.count() == 2
    assert "nouveau" in rows.nth(0).inner_text()
    assert "modifié" in rows.nth(1).inner_text()
    assert "territoire : Ancien → Nouveau" in rows.nth(1).inner_text()
    assert not Pole.objects.filter(name="Pôle Nouveau").exists()

    with page.expect_navigation():
        page.click("input[name=confirm]")
    assert "Import terminé : 1 nouveau(x), 1 modifié(s)" in page.inner_text(".messagelist")
    assert "Pôle Nouveau" in page.inner_text("#result_list")
    assert Pole.objects.get(slug="pole-existant").territory == "Nouveau"
