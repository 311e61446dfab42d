"""Yearly indicators in the leaders' space (issue #15): a leader reports a year, only for
their own pole, guarded against lost edits; staff are told; a checked year stays as checked."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from poles.models import YearlyIndicators
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def year_url(pole, year=LAST_YEAR) -> str:
    return reverse("space:pole-indicator", args=[pole.slug, year])


def figures(**changes) -> dict:
    data = {
        "version": 0,
        "jobs_fte": "12,5",
        "jobs_created": "3",
        "integration_people": "",
        "budget_euros": "1 200 000",
        "public_funding_share": "45",
        "volunteers": "",
        "source": "pole",
        "note": "Chiffres du bilan.",
        "action": "submit",
    }
    data.update(changes)
    return data


@pytest.fixture
def staff_of_the_region(pole):
    from tests.poles.test_regional_curators import regional_curator

    user = regional_curator(pole.region, username="rita")
    user.email = "rita@example.org"
    user.save()
    return user


def test_a_leader_submits_a_year_and_the_regions_curator_is_told(
    client, pole, alice, staff_of_the_region, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    listing = client.get(reverse("space:pole-indicators", args=[pole.slug]))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f'href="{year_url(pole)}"><span class="visually-hidden">Renseigner </span>' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(year_url(pole), figures())
    assert response.status_code == 302
    row = YearlyIndicators.objects.get(pole=pole, year=LAST_YEAR)
    assert row.status == "submitted" and row.submitted_by == alice
    assert str(row.jobs_fte) == "12.50" and row.budget_euros == 1_200_000
    assert row.integration_people is None  # unknown stays empty, not 0
    assert [m.to for m in mail.outbox] == [["rita@example.org"]]
    assert f"Indicateurs {LAST_YEAR}" in mail.outbox[0].subject
    assert row.history.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jobs_fte", "-2", "Le nombre d&#x27;emplois ne peut pas être négatif."),
        ("public_funding_share", "120", "Une part ne peut pas dépasser 100 %"),
        ("jobs_fte", "60000", "Plus de 5 000 emplois en équivalent temps plein"),
        ("budget_euros", "900000000000", "Plus de 500 millions d&#x27;euros"),
        ("volunteers", "-1", "Le nombre de bénévoles ne peut pas être négatif."),
        # 1.2 to a French reader, 1,200 to an English one: asked, never guessed.
        ("jobs_fte", "1,200", "«\xa01,200\xa0» se lit de deux façons\xa0: écrivez 1200"),
        ("public_funding_share", "12,500", "«\xa012,500\xa0» se lit de deux façons"),
        # Python's Decimal reads « 1e3 » as 1000: a figure the leader never saw.
        ("jobs_fte", "1e3", "Écrivez le nombre en chiffres, par exemple 12,5"),
        ("public_funding_share", "5E1", "Écrivez le nombre en chiffres"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(client, pole, alice, field, value, message):
    client.force_login(alice)
    response = client.post(year_url(pole), figures(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not YearlyIndicators.objects.exists()


def test_a_year_not_finished_or_before_the_approach_is_a_404(client, pole, alice):
    client.force_login(alice)
    for year in (LAST_YEAR + 1, LAST_YEAR + 2, 2008, 99999999999):
        assert client.get(year_url(pole, year)).status_code == 404
        assert client.post(year_url(pole, year), figures()).status_code == 404
    assert not YearlyIndicators.objects.exists()


def test_a_year_before_the_poles_founding_is_a_404_unless_it_was_reported(client, pole, alice):
    """The list of years starts at the founding year: the address of an earlier one is not a
    way around it. A year already reported (before the founding year was known) stays open."""
    pole.founded_year = LAST_YEAR - 1
    pole.save()
    client.force_login(alice)
    before = LAST_YEAR - 2
    assert client.get(year_url(pole, before)).status_code == 404
    assert client.post(year_url(pole, before), figures()).status_code == 404
    assert not YearlyIndicators.objects.exists()
    assert client.get(year_url(pole, LAST_YEAR - 1)).status_code == 200
    YearlyIndicators.objects.create(pole=pole, year=before, jobs_fte=2)
    assert client.get(year_url(pole, before)).status_code == 200


def test_another_poles_forms_answer_404(client, pole, bob, stranger):
    for user in (bob, stranger):
        client.force_login(user)
        assert client.get(reverse("space:pole-indicators", args=[pole.slug])).status_code == 404
        assert client.get(year_url(pole)).status_code == 404
        assert client.post(year_url(pole), figures()).status_code == 404
    assert not YearlyIndicators.objects.exists()


def test_a_stale_version_is_refused_and_the_input_kept(client, pole, alice):
    client.force_login(alice)
    assert client.post(year_url(pole), figures(action="draft")).status_code == 302
    # Another leader's tab, opened before that first save (version 0), saves later.
    response = client.post(year_url(pole), figures(jobs_fte="99", version=0))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Quelqu&#x27;un d&#x27;autre a enregistré" in html
    assert 'value="99"' in html  # what this editor typed is kept
    row = YearlyIndicators.objects.get()
    assert str(row.jobs_fte) == "12.50" and row.status == "draft"
    # A second save from the refused page knowingly replaces it.
    again = client.post(year_url(pole), figures(jobs_fte="99", version=row.version))
    assert again.status_code == 302
    assert YearlyIndicators.objects.get().jobs_fte == 99


def test_a_checked_year_is_read_only_for_leaders(client, pole, alice, curator):
    row = YearlyIndicators.objects.create(pole=pole, year=LAST_YEAR, jobs_fte=4)
    row.mark_checked(curator)
    row.save()
    client.force_login(alice)
    page = client.get(year_url(pole)).content.decode()
    assert "vérifiés le" in page and "<form method=\"post\" class=\"profile-form\"" not in page
    response = client.post(year_url(pole), figures(version=row.version))
    assert response.status_code == 409
    assert YearlyIndicators.objects.get().jobs_fte == 4


def test_members_by_kind_are_counted_as_of_31_december(client, pole, alice):
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind="sme"))
    MembershipFactory(
        pole=pole, joined_on=timezone.datetime(LAST_YEAR + 1, 1, 5).date(),
        organisation=OrganisationFactory(kind="ess"),
    )
    client.force_login(alice)
    html = client.get(year_url(pole)).content.decode()
    assert "PME ou entreprise classique\xa0: 1" in html
    assert "Entreprise de l&#x27;ESS" not in html


def test_a_submission_by_an_account_without_figures_is_refused(client, pole, alice):
    client.force_login(alice)
    empty = figures(jobs_fte="", jobs_created="", budget_euros="", public_funding_share="")
    response = client.post(year_url(pole), empty)
    assert response.status_code == 400
    assert "au moins un indicateur" in response.content.decode()
    forged = client.post(year_url(pole), figures(action="publish"))
    assert forged.status_code == 400
    assert client.post(year_url(pole), figures(version="abc")).status_code == 400
    assert not YearlyIndicators.objects.exists()


def test_staff_submitting_from_the_space_are_not_emailed_about_it(
    client, pole, curator, staff_of_the_region, django_capture_on_commit_callbacks
):
    client.force_login(curator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(year_url(pole), figures()).status_code == 302
    assert YearlyIndicators.objects.get().status == "submitted"
    assert mail.outbox == []


def test_the_years_history_reads_its_dates_in_english_too(client, pole, alice):
    client.force_login(alice)
    client.post(year_url(pole), figures(action="draft"))
    page = client.get(year_url(pole), {"lang": "en"}).content.decode()
    moment = timezone.localtime(YearlyIndicators.objects.get().history.get().history_date)
    # British order, as every English page writes dates (« 7 December 2026 »).
    assert moment.strftime("%-d %B %Y, %H:%M") in page and " à " not in page


def test_a_figure_with_an_exponent_is_refused_in_english_too(client, pole, alice):
    client.force_login(alice)
    response = client.post(year_url(pole) + "?lang=en", figures(jobs_fte="1e3"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write the number in digits, for example 12.5" in page and "Écrivez" not in page
    assert not YearlyIndicators.objects.exists()
