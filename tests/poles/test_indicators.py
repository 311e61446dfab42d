"""Yearly indicators (issue #15): staff review, what the public sees (checked figures only:
the pole's page with its trend, the statistics, the API, the CSV), the member counts as of
31 December, the yearly reminder and the model's rules."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from poles.models import IndicatorReminder, YearlyIndicators
from poles.registry.indicators.members import member_counts
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def report(pole, year=LAST_YEAR, status="submitted", **figures):
    values = {"jobs_fte": 10, "budget_euros": 250_000, "public_funding_share": 40, **figures}
    return YearlyIndicators.objects.create(pole=pole, year=year, status=status, **values)


def test_a_leader_reports_staff_check_and_the_public_page_shows_the_trend(
    client, pole, alice, curator
):
    report(pole, LAST_YEAR - 1, status="checked", jobs_fte=8, source="survey")
    client.force_login(alice)
    form = {
        "version": 0, "jobs_fte": "12,5", "budget_euros": "300 000", "source": "pole",
        "public_funding_share": "35", "action": "submit",
    }
    url = reverse("space:pole-indicator", args=[pole.slug, LAST_YEAR])
    assert client.post(url, form).status_code == 302
    client.logout()

    page = client.get(pole.get_absolute_url()).content.decode()
    assert "12,5" not in page  # submitted, not checked: not public

    client.force_login(curator)
    row = YearlyIndicators.objects.get(year=LAST_YEAR)
    change = reverse("admin:poles_yearlyindicators_change", args=[row.pk])
    assert "Enregistrer et marquer comme vérifiés" in client.get(change).content.decode()
    changelist = reverse("admin:poles_yearlyindicators_changelist")
    response = client.post(
        changelist, {"action": "mark_checked", "_selected_action": [row.pk]}, follow=True
    )
    assert "1 année marquée comme vérifiée" in response.content.decode()
    row.refresh_from_db()
    assert row.is_checked and row.checked_by == curator and row.checked_at
    client.logout()

    page = client.get(pole.get_absolute_url()).content.decode()
    assert "Indicateurs annuels" in page
    assert 'id="trend-jobs_fte-title"' in page  # the chart of jobs, with its title
    assert f'<th scope="row">{LAST_YEAR}</th>' in page and "12,5" in page
    assert "300 000 €" in page.replace("\u202f", " ").replace("\xa0", " ")
    assert "Enquête" in page and "Déclaré par le pôle" in page  # each year's source


def test_the_change_page_button_marks_the_year_checked(client, pole, curator):
    row = report(pole)
    client.force_login(curator)
    url = reverse("admin:poles_yearlyindicators_change", args=[row.pk])
    data = {
        "pole": pole.pk, "year": LAST_YEAR, "jobs_fte": "10", "budget_euros": "250000",
        "public_funding_share": "40", "source": "pole", "status": "submitted",
        "loaded_version": row.version, "note": "", "_mark_checked": "1",
    }
    assert client.post(url, data).status_code == 302
    row.refresh_from_db()
    assert row.is_checked and row.checked_by == curator
    # A page opened before that save is refused, not saved over it.
    stale = client.post(url, {**data, "jobs_fte": "11"})
    assert stale.status_code == 200
    assert "depuis l&#x27;ouverture de la page" in stale.content.decode()
    row.refresh_from_db()
    assert row.jobs_fte == 10


def test_an_unchecked_year_never_shows_anywhere_public(client, pole):
    report(pole, status="submitted", jobs_fte=4321)
    report(pole, LAST_YEAR - 1, status="draft", jobs_fte=4322)
    hidden = PoleFactory(is_published=False)
    report(hidden, status="checked", jobs_fte=4323)
    pages = [
        pole.get_absolute_url(),
        reverse("poles:statistics"),
        reverse("poles:statistics-csv", args=["indicateurs-annuels"]),
        reverse("poles:statistics-csv", args=["indicateurs-par-region"]),
        reverse("api-v1:indicator-list"),
        reverse("api-v1:pole-detail", args=[pole.slug]),
    ]
    for url in pages:
        body = client.get(url).content.decode("utf-8-sig")
        for secret in ("4321", "4 321", "4322", "4 322", "4323", "4 323", "4\u202f321"):
            assert secret not in body, (url, secret)
    assert "Indicateurs annuels" not in client.get(pole.get_absolute_url()).content.decode()


def test_the_statistics_page_sums_and_medians_by_region_and_year(client):
    first, second = PoleFactory(), PoleFactory()
    report(first, status="checked", jobs_fte=10, public_funding_share=20)
    report(second, status="checked", jobs_fte=30, public_funding_share=60, budget_euros=None)
    html = client.get(reverse("poles:statistics")).content.decode().replace("\u202f", " ")
    assert 'id="indicateurs-annuels"' in html and "France entière" in html
    assert ">40</td>" in html  # the sum of the jobs
    assert ">40\xa0%</td>" in html  # the median share, its unit kept on its line
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("poles:statistics-csv", args=["indicateurs-par-region"])
    ).content.decode("utf-8-sig")), delimiter=";"))
    national = rows[1]
    assert national[:3] == [str(LAST_YEAR), "France entière", "2"]
    assert national[3:6] == ["2", "40", "20"]  # jobs: 2 poles, sum 40, median 20


def test_the_csv_has_one_row_per_pole_and_year_with_members(client, pole):
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind="research"))
    report(pole, status="checked")
    report(pole, LAST_YEAR - 1, status="checked", jobs_fte=None)
    response = client.get(reverse("poles:statistics-csv", args=["indicateurs-annuels"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [row["année"] for row in rows] == [str(LAST_YEAR - 1), str(LAST_YEAR)]
    assert rows[0]["Emplois (ETP)"] == "" and rows[1]["Emplois (ETP)"] == "10"
    assert rows[1]["organisations membres au 31 décembre : Centre de recherche"] == "1"


def test_the_api_lists_checked_years_by_year_and_region(client, django_assert_max_num_queries):
    poles = PoleFactory.create_batch(3)
    for pole in poles:
        report(pole, status="checked")
        report(pole, LAST_YEAR - 1, status="checked")
    report(PoleFactory(), status="submitted")
    with django_assert_max_num_queries(6):
        data = client.get(reverse("api-v1:indicator-list")).json()
    assert data["count"] == 6
    item = data["results"][0]
    assert item["year"] == LAST_YEAR and item["jobs_fte"] == 10
    assert item["public_funding_share"] == 40 and item["integration_people"] is None
    assert "note" not in item and "status" not in item
    region = poles[0].region.slug
    filtered = client.get(reverse("api-v1:indicator-list"), {"region": region, "year": LAST_YEAR})
    assert filtered.json()["count"] == 1
    assert client.get(reverse("api-v1:indicator-list"), {"year": "abc"}).status_code == 400
    detail = client.get(reverse("api-v1:pole-detail", args=[poles[0].slug])).json()
    assert [year["year"] for year in detail["indicators"]] == [LAST_YEAR - 1, LAST_YEAR]


def test_lists_take_constant_queries(client, curator, django_assert_max_num_queries):
    def add(count):
        for pole in PoleFactory.create_batch(count):
            MembershipFactory(pole=pole)
            report(pole, status="checked")

    client.force_login(curator)
    urls = [
        reverse("admin:poles_yearlyindicators_changelist"),
        reverse("poles:statistics-csv", args=["indicateurs-annuels"]),
        reverse("api-v1:indicator-list"),
    ]
    add(2)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    add(8)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_member_counts_are_computed_as_of_31_december_in_one_query(
    django_assert_num_queries,
):
    pole, other = PoleFactory(), PoleFactory()
    ess = OrganisationFactory(kind="ess")
    MembershipFactory(pole=pole, organisation=ess, role="founder")
    MembershipFactory(pole=pole, organisation=ess, role="funder")  # counted once
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind="sme"),
                      joined_on=datetime.date(2015, 3, 1), left_on=datetime.date(2017, 12, 31))
    MembershipFactory(pole=other, organisation=OrganisationFactory(kind="sme"),
                      joined_on=datetime.date(2016, 1, 1))
    with django_assert_num_queries(1):
        counts = member_counts(
            [(pole.pk, 2014), (pole.pk, 2016), (pole.pk, 2017), (other.pk, 2015), (other.pk, 2016)]
        )
    assert counts[(pole.pk, 2014)] == {"ess": 1}
    assert counts[(pole.pk, 2016)] == {"ess": 1, "sme": 1}
    assert counts[(pole.pk, 2017)] == {"ess": 1}  # left on 31 December: no longer a member
    assert counts[(other.pk, 2015)] == {}
    assert counts[(other.pk, 2016)] == {"sme": 1}


def test_the_reminder_emails_leaders_once_per_year(pole, alice, bob):
    done = PoleFactory()
    done.leaders.add(UserFactory())
    report(done, status="submitted")
    drafted = PoleFactory()
    drafted.leaders.add(UserFactory(username="dina"))
    report(drafted, status="draft")

    out = io.StringIO()
    call_command("send_indicator_reminders", "--dry-run", stdout=out)
    assert "3 pole(s) to remind" in out.getvalue() and not mail.outbox
    assert not IndicatorReminder.objects.exists()

    call_command("send_indicator_reminders", stdout=io.StringIO())
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["alice@example.org", "bob@example.org", "dina@example.org"]
    assert str(LAST_YEAR) in mail.outbox[0].subject
    assert f"/espace/poles/{pole.slug}/indicateurs/{LAST_YEAR}/" in [
        m for m in mail.outbox if m.to == ["alice@example.org"]
    ][0].body

    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_indicator_reminders", stdout=out)  # a second run: nothing
    assert not mail.outbox and "0 pole(s) e-mailed" in out.getvalue()


def test_the_reminder_refuses_a_year_that_cannot_be_reported():
    from django.core.management.base import CommandError

    for year in ("2008", str(LAST_YEAR + 1)):
        with pytest.raises(CommandError, match="from 2009"):
            call_command("send_indicator_reminders", "--year", year, stdout=io.StringIO())


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (LAST_YEAR + 1, "n'est pas terminée"),
        (LAST_YEAR + 5, "n'est pas terminée"),
        (2005, "commencent en 2009"),
    ],
)
def test_the_model_refuses_a_year_in_the_future_or_before_the_approach(pole, year, message):
    row = YearlyIndicators(pole=pole, year=year, jobs_fte=3)
    with pytest.raises(ValidationError, match=message):
        row.full_clean()


def test_one_row_per_pole_and_year(pole):
    report(pole)
    with pytest.raises(ValidationError, match="déjà des indicateurs pour cette année"):
        YearlyIndicators(pole=pole, year=LAST_YEAR).full_clean()


def test_members_of_a_pole_without_any_recorded_membership_are_unknown_not_zero(client):
    """Truth: a pole whose members the registry does not hold shows « non renseigné » and an
    empty CSV cell, not 0 organisations; one whose members left before that year shows 0."""
    unknown = PoleFactory(is_published=True, name="Pôle Inconnu")
    former = PoleFactory(is_published=True, name="Pôle Ancien")
    MembershipFactory(pole=former, left_on=datetime.date(LAST_YEAR - 2, 6, 30))
    for pole in (unknown, former):
        report(pole, status="checked")
    unknown_cell = '<span class="muted">non renseigné</span>'
    assert unknown_cell in client.get(unknown.get_absolute_url()).content.decode()
    assert unknown_cell not in client.get(former.get_absolute_url()).content.decode()
    response = client.get(reverse("poles:statistics-csv", args=["indicateurs-annuels"]))
    rows = {row["pôle"]: row for row in csv.DictReader(
        io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")}
    assert rows["Pôle Inconnu"]["organisations membres au 31 décembre"] == ""
    assert rows["Pôle Ancien"]["organisations membres au 31 décembre"] == "0"
    api = client.get(reverse("api-v1:indicator-list")).json()["results"]
    by_pole = {row["pole"]["name"]: row["members_by_kind"] for row in api}
    assert by_pole == {"Pôle Inconnu": None, "Pôle Ancien": {}}


def test_staff_type_decimals_with_a_comma_in_the_admin_as_leaders_do(client, pole, curator):
    client.force_login(curator)
    data = {
        "pole": pole.pk, "year": LAST_YEAR, "jobs_fte": "12,5", "budget_euros": "250000",
        "public_funding_share": "33,3", "source": "staff", "status": "submitted", "note": "",
        "loaded_version": "",
    }
    response = client.post(reverse("admin:poles_yearlyindicators_add"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    row = YearlyIndicators.objects.get()
    assert (row.jobs_fte, row.public_funding_share) == (
        decimal.Decimal("12.5"), decimal.Decimal("33.3")
    )
    page = client.get(reverse("admin:poles_yearlyindicators_change", args=[row.pk]))
    assert 'value="12,50"' in page.content.decode()
    # In a text box: a browser empties a number box holding « 12,5 » (saved empty after).
    assert re.search(r'<input type="text" name="jobs_fte" value="12,50"', page.content.decode())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"year": "99999"}, "year", "Sélectionnez un choix valide"),
        ({"year": str(LAST_YEAR + 1)}, "year", "Sélectionnez un choix valide"),
        ({"jobs_fte": "1e3"}, "jobs_fte", "Écrivez le nombre en chiffres"),
        # 1.2 to a French reader, 1,200 to an English one: asked, as in the leaders' space.
        ({"jobs_fte": "1,200"}, "jobs_fte", "« 1,200 » se lit de deux façons"),
    ],
)
def test_the_admin_offers_the_reportable_years_and_refuses_exponents(
    client, pole, curator, changes, field, message
):
    client.force_login(curator)
    page = client.get(reverse("admin:poles_yearlyindicators_add")).content.decode()
    assert f'<option value="{LAST_YEAR}">{LAST_YEAR}</option>' in page
    assert f'<option value="{LAST_YEAR + 1}">' not in page
    data = {
        "pole": pole.pk, "year": LAST_YEAR, "jobs_fte": "12,5", "source": "staff",
        "status": "submitted", "note": "", "loaded_version": "", **changes,
    }
    response = client.post(reverse("admin:poles_yearlyindicators_add"), data)
    assert response.status_code == 200
    assert message in "".join(response.context["adminform"].form.errors[field])
    assert not YearlyIndicators.objects.exists()
