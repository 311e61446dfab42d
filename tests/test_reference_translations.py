"""Reference data in French and English (django-modeltranslation): the English site shows the
English names, falls back to French, and the imports, exports and search keep French."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from calls.models import Milestone
from poles.models import Pole, Sector
from poles.registry.resources import PoleResource
from ptce_site.imports import read_table
from ptce_site.resources import summary
from tests.factories import PoleFactory, RegionFactory, SectorFactory

pytestmark = pytest.mark.django_db


def test_the_seed_loads_english_names_and_the_english_site_shows_them(seeded, client):
    assert Sector.objects.get(slug="dechets").name_en == "Waste"
    assert all(s.name_fr and s.name_en for s in Sector.objects.all())
    assert all(m.label_fr and m.label_en for m in Milestone.objects.all())
    english = client.get("/appels/appel-a-projets-2013/?lang=en").content.decode()
    assert "Interministerial call for projects for PTCE (2013)" in english
    assert "Announcement of the 23 winners" in english
    assert "Appel à projets interministériel PTCE (2013)" not in english
    directory = client.get("/poles/?lang=en").content.decode()
    assert "Eco-construction" in directory and "Écoconstruction" not in directory
    french = client.get("/appels/appel-a-projets-2013/").content.decode()
    assert "Appel à projets interministériel PTCE (2013)" in french
    assert "Interministerial call" not in french


def test_the_seeds_english_texts_say_cluster_and_winner_as_the_site_does(seeded, client):
    """The glossary of the English catalogue: « pôle » is "cluster", « lauréat » "winner"."""
    pages = ["/appels/appel-a-projets-2013/", "/appels/", "/charte/", "/chronologie/"]
    for url in pages:
        html = client.get(url, {"lang": "en"}).content.decode()
        main = re.sub(r"<script.*?</script>", " ", html.split("<main", 1)[1], flags=re.S)
        english = re.sub(r"<[^>]*>", " ", main)  # the words, not the codes
        assert "laureate" not in english.lower(), url
        assert not re.search(r"\bpoles?\b", english), url
    charter = client.get("/charte/", {"lang": "en"}).content.decode()
    assert "Signed by the clusters and the partner networks" in charter


def test_without_an_english_version_the_english_site_shows_the_french(db, client):
    pole = PoleFactory(is_published=True)
    pole.sectors.add(SectorFactory(name="Filière bois énergie", slug="bois-energie"))
    html = client.get(f"{pole.get_absolute_url()}?lang=en").content.decode()
    assert "Filière bois énergie" in html


def test_a_curator_edits_both_languages_in_the_admin(seeded, curator_client):
    sector = Sector.objects.get(slug="dechets")
    url = reverse("admin:poles_sector_change", args=[sector.pk])
    assert 'name="name_en"' in curator_client.get(url).content.decode()
    data = {"name_fr": "Déchets ménagers", "name_en": "Household waste", "slug": "dechets"}
    assert curator_client.post(url, data).status_code == 302
    sector.refresh_from_db()
    assert (sector.name_fr, sector.name_en) == ("Déchets ménagers", "Household waste")
    with translation.override("en"):
        assert str(Sector.objects.get(pk=sector.pk)) == "Household waste"


def test_imports_read_french_names_whatever_the_curators_language(db):
    RegionFactory(code="53", name="Bretagne", slug="bretagne")
    SectorFactory(name="Agriculture", slug="agriculture", name_en="Farming")
    csv = "nom;région;statut;secteurs\nPôle des Coteaux;53;En projet;Agriculture\n"
    with translation.override("en"):
        result = PoleResource().import_data(read_table(csv.encode()), file_name="f.csv")
        assert summary(result)["new"] == 1, result
        exported = PoleResource().export(queryset=Pole.objects.all())
        column = str(PoleResource().fields["sectors"].column_name)
    assert list(Pole.objects.get().sectors.values_list("name_fr", flat=True)) == ["Agriculture"]
    assert exported.dict[0][column] == "Agriculture"


def test_the_search_keeps_french_and_sorting_follows_the_language(seeded, client):
    french = client.get("/poles/?q=d%C3%A9chets").content.decode()
    english = client.get("/poles/?q=d%C3%A9chets&lang=en").content.decode()
    assert "Florange e2i" in french and "Florange e2i" in english
    with translation.override("fr"):
        assert [s.name for s in Sector.objects.filter(slug__in=["dechets", "bois"])] == [
            "Bois", "Déchets",
        ]
    with translation.override("en"):  # in English, in the order of the English names
        assert [s.name for s in Sector.objects.filter(slug__in=["dechets", "bois"])] == [
            "Waste", "Wood",
        ]
    english = client.get("/poles/?lang=en").content.decode()
    assert english.index(">Waste") < english.index(">Wood")
