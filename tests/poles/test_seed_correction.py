"""Databases seeded before #12 lose the facts that no document gives, through the data migrations
``poles/0015_truthful_seed`` and ``calls/0004_truthful_seed``; what curators changed since stays.

The migrations' functions run here on the project's own models, on a database set back to what
the old seed wrote (its values are the migrations' frozen tables).
"""

import importlib

import pytest
from django.apps import apps

from calls.models import Application, Call
from members.models import Organisation
from poles.models import Pole, Region, Sector

pytestmark = pytest.mark.django_db

poles_0015 = importlib.import_module("poles.migrations.0015_truthful_seed")
calls_0004 = importlib.import_module("calls.migrations.0004_truthful_seed")


def run_corrections() -> None:
    poles_0015.correct_poles(apps, None)
    poles_0015.cite_the_2011_examples(apps, None)
    poles_0015.correct_organisations(apps, None)
    calls_0004.count_answers_of_2011(apps, None)


def as_the_old_seed_left_it() -> None:
    """Put back, on a freshly seeded database, what the seed before #12 invented."""
    poles = Pole.objects.all()
    poles.update(status="operational")
    poles.filter(slug="clu-ster-jura").update(territory="Jura")
    poles.filter(slug="florange-e2i").update(territory="Florange")
    poles.filter(slug="sicoval").update(region=Region.objects.get(code="76"))
    gouttes = poles.get(slug="les-gouttes-d-or-de-la-mode-et-du-design")
    gouttes.sectors.set([Sector.objects.create(slug="mode-et-design", name="Mode et design")])
    poles.filter(pk=gouttes.pk).update(
        summary="Lauréat de l'appel à projets interministériel PTCE de 2013 (Ile de France) : "
        "mode et design."
    )
    for pole in poles.filter(is_witness=True):
        pole.sources.remove(*pole.sources.filter(key="communique-seminaire-2013"))
    Application.objects.filter(outcome="cited_as_example").delete()
    organisations = Organisation.objects.all()
    organisations.filter(slug__in=poles_0015.CATERING_MEMBERS).update(
        kind="ess", region=Region.objects.get(code="11")
    )
    with_legal_form = [*poles_0015.NETWORKS, "coallia"]
    organisations.filter(slug__in=with_legal_form).update(legal_form="association")
    for slug, (old, _new) in poles_0015.DESCRIPTIONS.items():
        organisations.filter(slug=slug).update(description=old)
    Call.objects.filter(slug="appel-a-candidature-2011").update(received_unit="applications")


def test_an_old_seeded_database_is_brought_back_to_what_the_documents_say(seeded):
    updated = dict(Pole.objects.values_list("slug", "updated_at"))
    as_the_old_seed_left_it()
    run_corrections()

    statuses = dict(Pole.objects.values_list("slug", "status"))
    assert {slug for slug, status in statuses.items() if status == "operational"} == set(
        poles_0015.WITNESS_POLES
    )
    assert Pole.objects.get(slug="clu-ster-jura").territory == ""
    assert Pole.objects.get(slug="sicoval").region is None
    gouttes = Pole.objects.get(slug="les-gouttes-d-or-de-la-mode-et-du-design")
    assert not gouttes.sectors.exists()
    assert gouttes.summary.endswith("PTCE de 2013 (Ile de France).")
    archer = Pole.objects.get(slug="pole-sud-archer")
    assert archer.sources.filter(key="communique-seminaire-2013").exists()
    cited = Application.objects.filter(call__slug="appel-a-candidature-2011")
    assert set(cited.values_list("pole__slug", flat=True)) == set(poles_0015.EXAMPLES_OF_2011)
    assert set(cited.values_list("outcome", flat=True)) == {"cited_as_example"}
    coallia = Organisation.objects.get(slug="coallia")
    assert (coallia.kind, coallia.legal_form, coallia.region) == ("not_known", "", None)
    rtes = Organisation.objects.get(slug="rtes")
    assert rtes.description == "Membre de la démarche nationale PTCE."
    assert Call.objects.get(slug="appel-a-candidature-2011").received_unit == "answers"
    # Nobody changed the content: the poles' "updated" dates stay.
    assert dict(Pole.objects.values_list("slug", "updated_at")) == updated


def test_what_curators_changed_since_the_old_seed_is_kept(seeded):
    as_the_old_seed_left_it()
    florange = Pole.objects.get(slug="florange-e2i")
    florange.territory = "Val de Fensch"  # a curator's edit of the invented territory
    florange.save()
    coopaxis = Pole.objects.get(slug="coopaxis")
    coopaxis.status = Pole.Status.IN_PROJECT
    coopaxis.save()
    alpilles = Pole.objects.get(slug__endswith="des-alpilles")
    alpilles.sectors.set(Sector.objects.filter(slug="dechets"))  # sectors reviewed by a curator
    ufisc = Organisation.objects.get(slug="ufisc")
    ufisc.description = "Union fédérale d'intervention des structures culturelles."
    ufisc.save()
    Organisation.objects.filter(slug="appui").update(kind="ess", legal_form="scic")

    run_corrections()

    assert Pole.objects.get(slug="florange-e2i").territory == "Val de Fensch"
    assert Pole.objects.get(slug="coopaxis").status == Pole.Status.IN_PROJECT
    assert list(alpilles.sectors.values_list("slug", flat=True)) == ["dechets"]
    assert Organisation.objects.get(slug="ufisc").description.startswith("Union fédérale")
    appui = Organisation.objects.get(slug="appui")
    assert appui.legal_form == "scic"  # not the seed's "association": a curator's, kept


def test_the_correction_of_a_database_seeded_truthfully_changes_nothing(seeded):
    def state():
        return (
            list(Pole.objects.order_by("pk").values()),
            list(Organisation.objects.order_by("pk").values()),
            list(Application.objects.order_by("pk").values()),
            list(Pole.sectors.through.objects.order_by("pk").values()),
            list(Pole.sources.through.objects.order_by("pk").values()),
            list(Call.objects.order_by("pk").values()),
        )

    before = state()
    run_corrections()
    run_corrections()
    assert state() == before
