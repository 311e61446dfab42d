import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from calls.models import Call
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MilestoneFactory,
    PoleFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "eligible", "selected"),
    [(100, 130, 23), (180, 130, 131), (10, None, 11)],
)
def test_database_refuses_figures_that_do_not_narrow(received, eligible, selected):
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(
            applications_received=received,
            applications_eligible=eligible,
            applications_selected=selected,
        )


def test_figures_may_be_partly_unknown():
    call = CallFactory(applications_received=150)
    assert call.selection_rate is None
    call = CallFactory(
        applications_received=180, applications_eligible=130, applications_selected=23
    )
    assert call.selection_rate == pytest.approx(23 / 130)


def test_full_clean_says_which_figure_is_wrong():
    call = CallFactory.build(
        applications_received=180, applications_eligible=130, applications_selected=140
    )
    with pytest.raises(ValidationError) as error:
        call.full_clean()
    assert "retenus ne peut pas dépasser celui des dossiers recevables" in str(error.value)


def test_dates_must_follow_each_other():
    with pytest.raises(IntegrityError), transaction.atomic():
        CallFactory(launched_on=datetime.date(2011, 10, 30), closes_on=datetime.date(2011, 10, 1))
    call = CallFactory.build(
        closes_on=datetime.date(2011, 11, 30), results_on=datetime.date(2011, 11, 1)
    )
    with pytest.raises(ValidationError):
        call.full_clean()


def test_milestone_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneFactory(date=datetime.date(2011, 10, 31), end_date=datetime.date(2011, 10, 1))


def test_one_application_per_call_and_pole():
    application = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(call=application.call, pole=application.pole)


def test_former_region_must_have_merged_into_the_poles_region():
    grand_est = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    idf = RegionFactory(code="11", name="Île-de-France", slug="ile-de-france")
    lorraine = FormerRegionFactory(code="41", name="Lorraine", region=grand_est)
    application = ApplicationFactory.build(
        call=CallFactory(), pole=PoleFactory(region=idf), former_region=lorraine
    )
    with pytest.raises(ValidationError) as error:
        application.full_clean()
    assert "région Grand Est" in str(error.value)
    application.pole = PoleFactory(region=grand_est)
    application.full_clean()


def test_with_laureate_count_counts_only_laureates():
    call = CallFactory()
    ApplicationFactory.create_batch(3, call=call)
    ApplicationFactory(call=call, outcome="not_selected")
    assert Call.objects.with_laureate_count().get(pk=call.pk).laureate_count == 3
