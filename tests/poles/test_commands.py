"""The seed loader: idempotence, curators' edits kept, and the figures of the documents."""

import json
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from calls.models import Application, Call, Milestone
from members.models import Membership, Organisation
from poles.models import FormerRegion, Pole, Region, Sector, SourceDocument
from ptce_site.seed import FIXTURES_DIR, load_seed_data

pytestmark = pytest.mark.django_db


def laureates_of(call_slug: str | None = None):
    """The poles a call (or any call) selected."""
    applications = Application.objects.laureates()
    if call_slug:
        applications = applications.filter(call__slug=call_slug)
    return Pole.objects.filter(pk__in=applications.values("pole_id"))

MODELS = [
    Region,
    FormerRegion,
    Sector,
    SourceDocument,
    Organisation,
    Membership,
    Call,
    Milestone,
    Application,
    Pole,
]


@pytest.fixture
def fully_seeded(seeded_with_communes):
    """What ``load_seed_data`` loads, communes included: copied from its one run in this test
    process (tests/conftest.py), which the loader's own tests below then run again (without
    the communes, a second run would load them). The facts of the documents, further down,
    read no commune: they take ``seeded`` (tests/conftest.py), without the 35,000 communes
    to copy into each test (0.13 s each)."""


def snapshot():
    """Every seeded row with its timestamps and version: what a second run must not touch."""
    state = {model.__name__: model.objects.count() for model in MODELS}
    state["poles"] = list(Pole.objects.order_by("pk").values_list("pk", "updated_at", "version"))
    state["calls"] = list(Call.objects.order_by("pk").values_list("pk", "updated_at"))
    state["orgs"] = list(Organisation.objects.order_by("pk").values_list("pk", "updated_at"))
    state["pole_sectors"] = list(
        Pole.sectors.through.objects.order_by("pk").values_list("pk", flat=True)
    )
    return state


def test_second_run_changes_nothing_and_duplicates_nothing(fully_seeded):
    before = snapshot()
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    assert snapshot() == before
    assert "créé" not in out.getvalue()


def test_the_seed_writes_its_french_texts_whatever_language_is_active(db):
    """A caller with English active (a test after an English page, a shell): the documents'
    texts still go to the French columns, not to the English ones."""
    from django.utils import translation

    from poles.models import Event

    with translation.override("en"):
        load_seed_data(communes=False)
    event = Event.objects.order_by("start_date", "pk").first()
    assert event.title_fr and event.title_en != event.title_fr


def test_update_run_on_unchanged_data_changes_nothing(fully_seeded):
    before = snapshot()
    call_command("load_seed_data", "--update", verbosity=0)
    assert snapshot() == before


def test_curators_edits_survive_a_rerun_and_update_restores_the_documents(fully_seeded):
    pole = Pole.objects.get(slug="coopaxis")
    pole.summary = "Résumé revu par l'équipe"
    pole.save()
    pole.sectors.clear()

    call_command("load_seed_data", verbosity=0)
    pole.refresh_from_db()
    assert pole.summary == "Résumé revu par l'équipe"
    assert pole.sectors.count() == 0

    call_command("load_seed_data", "--update", verbosity=0)
    pole.refresh_from_db()
    assert pole.summary.startswith("Lauréat de l'appel à projets interministériel PTCE de 2013")
    assert set(pole.sectors.values_list("name", flat=True)) == {"TIC", "Innovation sociale"}


def test_loader_refuses_bad_fixture_data_with_a_clear_message(tmp_path):
    registry = json.loads((FIXTURES_DIR / "registry.json").read_text(encoding="utf-8"))
    call_2013 = next(c for c in registry["calls"] if c["slug"] == "appel-a-projets-2013")
    call_2013["applications_selected"] = 500
    bad = tmp_path / "registry.json"
    bad.write_text(json.dumps(registry), encoding="utf-8")
    from ptce_site.seed import SeedError

    with pytest.raises(SeedError, match="ne peut pas dépasser"):
        # Without the 35,000 communes (3 s), which the registry's checks do not read.
        load_seed_data(registry_file=bad, communes=False)
    assert not Pole.objects.exists()  # one transaction: nothing half-loaded


def test_command_reports_a_missing_fixture(tmp_path, monkeypatch):
    monkeypatch.setattr(
        "poles.management.commands.load_seed_data.load_seed_data",
        lambda **options: load_seed_data(**options, registry_file=tmp_path / "absent.json"),
    )
    with pytest.raises(CommandError, match="introuvable"):
        call_command("load_seed_data", verbosity=0)


# -- the facts of the documents ----------------------------------------------------------------


def test_reference_data_has_18_regions_and_27_former_regions(seeded):
    assert Region.objects.count() == 18
    assert FormerRegion.objects.count() == 27
    assert sum(1 for r in Region.objects.all() if r.is_overseas) == 5
    merged = Counter(FormerRegion.objects.values_list("region__name", flat=True))
    assert merged["Grand Est"] == 3
    assert merged["Nouvelle-Aquitaine"] == 3
    assert merged["Auvergne-Rhône-Alpes"] == 2
    assert merged["Bretagne"] == 1
    departments = [d for fr in FormerRegion.objects.all() for d in fr.department_codes]
    assert len(departments) == len(set(departments)) == 101


def test_2013_call_has_its_figures_and_23_laureates_of_which_8_witness_poles(seeded):
    call = Call.objects.get(slug="appel-a-projets-2013")
    assert call.kind == Call.Kind.INTERMINISTERIAL
    assert (call.applications_received, call.received_is_lower_bound) == (180, True)
    assert (call.applications_eligible, call.applications_selected) == (130, 23)
    assert call.results_on.isoformat() == "2014-01-10"
    laureates = laureates_of(call.slug)
    assert laureates.count() == 23
    assert laureates.filter(is_witness=True).count() == 8
    assert Pole.objects.filter(is_witness=True).count() == 8
    assert set(laureates.filter(is_witness=True).values_list("name", flat=True)) == {
        "Pôle Sud Aquitain",
        "La Coursive Boutaric",
        "Ardaynes",
        "Le PHARES",
        "Les Ateliers",
        "Lille Métropôle solidaire",
        "Pôle Sud Archer",
        "Culture et Coopération",
    }


def test_2013_laureates_by_former_region_match_the_announcement(seeded):
    counts = Counter(
        Application.objects.laureates()
        .filter(call__slug="appel-a-projets-2013")
        .values_list("former_region__name", flat=True)
    )
    assert counts.pop("Île-de-France") == 4
    assert counts.pop("Rhône-Alpes") == 3
    assert counts.pop("Champagne-Ardenne") == 2
    assert counts.pop("Midi-Pyrénées") == 2
    assert counts.pop("Provence-Alpes-Côte d'Azur") == 2
    assert sorted(counts.values()) == [1] * 10


def test_2013_laureates_by_current_region_match_domain(seeded):
    counts = Counter(
        laureates_of("appel-a-projets-2013").values_list("region__name", flat=True)
    )
    assert counts == {
        "Île-de-France": 4,
        "Auvergne-Rhône-Alpes": 4,
        "Grand Est": 3,
        "Occitanie": 2,
        "Provence-Alpes-Côte d'Azur": 2,
        "Bourgogne-Franche-Comté": 2,
        "Nouvelle-Aquitaine": 2,
        "Hauts-de-France": 2,
        "Centre-Val de Loire": 1,
        "Pays de la Loire": 1,
    }


def test_each_laureates_former_region_merged_into_its_current_region(seeded):
    for application in Application.objects.laureates().select_related("pole", "former_region"):
        assert application.former_region.region_id == application.pole.region_id
        assert application.region_name_then
    # The 2011 call names no region for its examples (#12).
    cited = Application.objects.cited_as_examples()
    assert cited.count() == 8
    assert not cited.exclude(former_region=None, region_name_then="").exists()


def test_laureates_have_their_sectors(seeded):
    ardaynes = Pole.objects.get(name="Ardaynes")
    assert set(ardaynes.sectors.values_list("name", flat=True)) == {
        "Déchets",
        "Bois",
        "Écoconstruction",
        "Agriculture",
        "Services à la personne",
    }
    # The announcement lists no sectors for these four (#12: none invented).
    without_sectors = laureates_of().filter(sectors__isnull=True)
    assert set(without_sectors.values_list("name", flat=True)) == {
        "Culture et Coopération",
        "Les Gouttes d'Or de la mode et du design",
        "Pôle régional des Musiques actuelles de Poitou-Charentes",
        "Pôle de gestion des déchets et de développement environnemental des Alpilles",
    }
    assert not Sector.objects.filter(name="Mode et design").exists()


def test_solidarity_catering_pole_has_its_four_members(seeded):
    pole = Pole.objects.get(slug__startswith="restauration-solidaire")
    assert set(pole.memberships.values_list("organisation__name", flat=True)) == {
        "Appui",
        "Coallia",
        "Marmite d'Afrique",
        "Taf et Maffe",
    }


def test_2011_call_has_five_milestones_and_its_networks_as_organisers(seeded):
    call = Call.objects.get(slug="appel-a-candidature-2011")
    assert call.kind == Call.Kind.NETWORK_CANDIDATES
    assert call.applications_received == 150
    assert call.received_unit == Call.ReceivedUnit.ANSWERS  # "150 réponses en un mois"
    milestones = list(call.milestones.order_by("date"))
    assert [m.date.isoformat() for m in milestones] == [
        "2011-10-30",
        "2011-10-31",
        "2011-12-15",
        "2012-01-15",
        "2012-02-15",
    ]
    assert milestones[1].end_date.isoformat() == "2011-11-30"
    assert [m.date_to_be_confirmed for m in milestones] == [False] * 4 + [True]
    organisers = set(call.organisers.values_list("kind", flat=True))
    assert organisers == {Organisation.Kind.NETWORK}
    assert call.organisers.filter(name="Le Labo de l'ESS").exists()
    assert len(Application.Track.choices) == 3


def test_2011_examples_are_seeded_with_their_source(seeded):
    examples = Pole.objects.filter(sources__key="appel-candidature-2011")
    names = set(examples.values_list("name", flat=True))
    assert {
        "Pôle Sud Archer",
        "SICOVAL",
        "Lieu mutualisé Ecossolies",
        "Initiatives et Cité",
    } <= names
    assert examples.count() == 8
    # Linked to the call as what they were: cited as examples, not candidates or laureates.
    cited = Application.objects.filter(call__slug="appel-a-candidature-2011")
    assert set(cited.values_list("outcome", flat=True)) == {Application.Outcome.CITED_AS_EXAMPLE}
    assert set(cited.values_list("pole__name", flat=True)) == names
    # The call gives no status of its own to any of them ("opérationnels ou en structuration").
    assert set(examples.exclude(is_witness=True).values_list("status", flat=True)) == {
        Pole.Status.NOT_KNOWN
    }


def test_every_seeded_pole_and_call_names_its_source_document(seeded):
    assert not Pole.objects.filter(sources__isnull=True).exists()
    assert not Call.objects.filter(sources__isnull=True).exists()
    filenames = set(SourceDocument.objects.values_list("filename", flat=True))
    seeds_dir = FIXTURES_DIR.parent.parent / "shared" / "seeds"
    if seeds_dir.is_dir():
        assert filenames <= {path.name for path in seeds_dir.iterdir()}


def test_partner_networks_are_organisations_of_kind_network(seeded):
    networks = set(
        Organisation.objects.filter(kind=Organisation.Kind.NETWORK).values_list("slug", flat=True)
    )
    assert {"le-labo-de-l-ess", "rtes", "cncres", "coorace", "mes", "ufisc"} <= networks


def test_seed_registry_holds_no_personal_email_or_phone():
    text = (FIXTURES_DIR / "registry.json").read_text(encoding="utf-8")
    assert "@" not in text
    assert not re.search(r"(?:\+33|\b0[1-9])(?:[ .]?\d{2}){4}\b", text)
