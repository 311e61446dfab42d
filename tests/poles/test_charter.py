"""The charter and its signatories (#15): its page, the directory's « charter » filter and its
count, the signatories' pages, the API, the import's column, the admin's rules, English."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Organisation
from poles.models import CHARTER_DATE, Charter, CharterSignature, Pole
from poles.registry.resources import PoleResource
from ptce_site.exports import SemicolonCSV
from ptce_site.resources import all_errors, summary
from tests.factories import (
    CharterFactory,
    CharterSignatureFactory,
    EventFactory,
    OrganisationFactory,
    PoleFactory,
    SourceDocumentFactory,
)
from tests.poles.test_facets import options, shown_count
from tests.test_import_resources import run

pytestmark = pytest.mark.django_db

CHARTER = "/charte/"
DIRECTORY = reverse("poles:pole-list")
D = datetime.date


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def listed(page: str, heading: str) -> list[str]:
    """The names linked in the list that follows ``heading`` on the charter's page."""
    part = page[page.index(f"<h3>{heading}</h3>") :]
    part = part[: part.index("</ul>")]
    found = re.findall(r'<li><a href="[^"]+">([^<]+)</a> — le ([^<]+)</li>', part)
    return [(html.unescape(name), date) for name, date in found]


def charter_count(client, query=None) -> int:
    select = options(client.get(DIRECTORY, query))["charter"]
    found = {value: label for value, label, *_ in select}
    return shown_count(found["true"])


def test_the_seed_records_the_charter_and_no_signatory_and_says_so(client, seeded):
    page = text(client.get(CHARTER))
    assert "<h1>Charte de la démarche collective PTCE</h1>" in page
    assert '<time datetime="2014-09-19">19 septembre 2014</time>' in page
    assert "139 rue de Bercy, 75012 Paris" in page
    assert "2e Journée nationale des PTCE (19 septembre 2014)" in page  # its source
    assert "Aucun signataire n'est encore enregistré" in page
    assert "aucun document ne les nomme" in page
    assert not CharterSignature.objects.exists()
    assert charter_count(client) == 0
    response = client.get(DIRECTORY, {"charter": "true"})
    assert response.context["page_obj"].paginator.count == 0
    api = client.get("/api/v1/charter/").json()
    assert (api["signed_on"], api["poles"], api["organisations"]) == ("2014-09-19", [], [])
    assert api["event"]["slug"] == "2014-09-19-2e-journee-nationale"


def test_recorded_signatories_are_listed_filtered_and_counted(client, seeded):
    ecole = PoleFactory(name="École des Pentes", charter_signed_on=CHARTER_DATE)
    PoleFactory(name="Zèbre coopératif", charter_signed_on="2015-03-02")
    PoleFactory(name="Abeille", charter_signed_on="2016-01-05")
    PoleFactory(name="Brouillon", charter_signed_on="2016-01-05", is_published=False)
    labo = Organisation.objects.get(slug="le-labo-de-l-ess")
    CharterSignatureFactory(organisation=labo)
    CharterSignatureFactory(organisation=Organisation.objects.get(slug="coorace"))
    page = text(client.get(CHARTER))
    assert listed(page, "Pôles") == [
        ("Abeille", "5 janvier 2016"),
        ("École des Pentes", "19 septembre 2014"),
        ("Zèbre coopératif", "2 mars 2015"),
    ]
    assert listed(page, "Réseaux et organisations") == [
        ("COORACE", "19 septembre 2014"), ("Le Labo de l'ESS", "19 septembre 2014"),
    ]
    assert f'href="{ecole.get_absolute_url()}"' in page and "Brouillon" not in page
    directory = client.get(DIRECTORY, {"charter": "true"})
    names = sorted(p.name for p in directory.context["page_obj"].object_list)
    assert names == ["Abeille", "Zèbre coopératif", "École des Pentes"]
    assert charter_count(client) == 3
    assert charter_count(client, {"q": "zèbre"}) == 1
    unsigned = client.get(DIRECTORY, {"charter": "false"}).context["page_obj"].paginator.count
    assert unsigned == Pole.objects.published().count() - 3
    pole_page = text(client.get(ecole.get_absolute_url()))
    assert (
        'Signataire de la <a href="/charte/">Charte de la démarche collective PTCE</a> le '
        "19 septembre 2014" in pole_page
    )
    assert "Signataire de la charte PTCE" in pole_page  # the badge
    assert "Signataire de la" in text(client.get(labo.get_absolute_url()))
    assert "Signataire de la" not in text(client.get("/organisations/rtes/"))
    api = client.get("/api/v1/charter/").json()
    assert [s["pole"]["slug"] for s in api["poles"]] == [
        "abeille", "ecole-des-pentes", "zebre-cooperatif",
    ]
    assert [s["organisation"]["slug"] for s in api["organisations"]] == ["coorace", labo.slug]
    detail = client.get(f"/api/v1/poles/{ecole.slug}/").json()
    assert detail["charter_signed_on"] == "2014-09-19"
    csv = client.get(reverse("poles:pole-export-csv"), {"charter": "true"}).content.decode()
    assert "2015-03-02" in csv and "Brouillon" not in csv


def test_the_directory_does_not_say_the_poles_did_not_sign(client, seeded):
    """The documents name no signatory: the filter's other option said « Non (30) », that the
    30 poles did not sign. It says « Signature non enregistrée », in the chip too."""
    page = html.unescape(client.get(DIRECTORY).content.decode())
    assert re.search(r'<option value="false"[^>]*>Signature non enregistrée \(30\)</option>', page)
    page = html.unescape(client.get(DIRECTORY, {"charter": "false"}).content.decode())
    assert "Signataire de la charte\xa0: Signature non enregistrée" in page
    english = html.unescape(client.get(DIRECTORY, {"lang": "en"}).content.decode())
    assert re.search(r'<option value="false"[^>]*>Signature not recorded \(30\)</option>', english)


def test_the_charter_page_reads_in_constant_queries(client, django_assert_max_num_queries):
    charter = CharterFactory()
    for _n in range(2):
        CharterSignatureFactory(charter=charter, pole=PoleFactory())
    with django_assert_max_num_queries(8) as few:
        client.get(CHARTER, {"lang": "fr"})
    for _n in range(10):
        CharterSignatureFactory(charter=charter, pole=PoleFactory())
        CharterSignatureFactory(charter=charter, organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(text(client.get(CHARTER, {"lang": "fr"})), "Pôles")) == 12


def test_no_charter_recorded_answers_404(client):
    assert client.get(CHARTER).status_code == 404
    assert client.get("/api/v1/charter/").status_code == 404


@pytest.mark.parametrize(
    "values, field",
    [
        ({"signed_on": D(2014, 9, 18)}, "signed_on"),  # before the charter
        ({"signed_on": D.today() + datetime.timedelta(days=2)}, "signed_on"),  # future
    ],
)
def test_a_signature_date_is_checked_against_the_charter_and_today(values, field):
    signature = CharterSignature(charter=CharterFactory(), pole=PoleFactory(), **values)
    with pytest.raises(ValidationError) as error:
        signature.full_clean()
    assert field in error.value.message_dict


def test_a_signature_is_of_a_pole_or_of_an_organisation_not_both_nor_none():
    charter, pole, network = CharterFactory(), PoleFactory(), OrganisationFactory()
    for signatory in ({"pole": pole, "organisation": network}, {}):
        with pytest.raises(ValidationError, match="OU"):
            CharterSignature(charter=charter, signed_on=CHARTER_DATE, **signatory).full_clean()
    CharterSignature(charter=charter, signed_on=CHARTER_DATE, pole=pole).full_clean()


def test_the_import_column_reads_and_writes_the_signature(db):
    CharterFactory()
    pole = PoleFactory(name="Pôle Ouest", slug="pole-ouest", charter_signed_on="2015-06-01")
    PoleFactory(name="Pôle Est", slug="pole-est")
    exported = SemicolonCSV().export_data(PoleResource().export(queryset=Pole.objects.all()))
    assert "2015-06-01" in exported
    result = run(PoleResource, exported.encode())  # the round trip changes nothing
    assert all_errors(result) == [] and summary(result)["unchanged"] == 2
    header = "identifiant;nom;signature de la charte\n"
    rows = "pole-est;Pôle Est;2016-02-03\npole-ouest;Pôle Ouest;\n"
    result = run(PoleResource, (header + rows).encode())
    assert all_errors(result) == []
    signed = dict(Pole.objects.with_charter_date().values_list("slug", "charter_signed_on"))
    assert signed == {"pole-est": D(2016, 2, 3), "pole-ouest": None}
    assert CharterSignature.history.filter(pole_id=pole.pk, history_type="-").exists()
    result = run(PoleResource, (header + "pole-est;Pôle Est;2013-01-01\n").encode())
    assert all_errors(result) == [
        "ligne 2, colonne « signature de la charte » : « 2013-01-01 » n'est pas valide. "
        "La charte date du 19 septembre 2014 : on ne peut pas l'avoir signée avant."
    ]


def test_curators_record_signatories_inline_on_the_charter(client, curator):
    charter, pole, network = CharterFactory(), PoleFactory(name="Pôle Sud"), OrganisationFactory()
    client.force_login(curator)
    prefix = "signatures"
    response = client.post(
        f"/admin/poles/charter/{charter.pk}/change/",
        {
            "title_fr": charter.title, "title_en": "", "slug": charter.slug,
            "description_fr": "", "description_en": "", "signed_on": "2014-09-19",
            "place_fr": "", "place_en": "", "event": "", "sources": [],
            f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-pole": pole.pk, f"{prefix}-0-signed_on": "2014-09-19",
            f"{prefix}-1-organisation": network.pk, f"{prefix}-1-signed_on": "2015-01-10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert charter.signatures.count() == 2
    assert Pole.objects.get(pk=pole.pk).content_changed_at is not None  # its page is dated
    assert "Pôle Sud" in text(client.get(CHARTER))


def test_english_pages_show_english_titles_and_fall_back_to_french(client, seeded):
    chronology = text(client.get("/chronologie/", {"lang": "en", "year": "2014"}))
    assert "2nd national day of the PTCE" in chronology
    assert "Adoption of the law on the ESS" in chronology
    assert 'Signing of the <a href="/charte/">Charter of the PTCE collective approach</a>' in (
        chronology
    )
    EventFactory(title="Rencontre sans traduction", start_date=D(2014, 3, 1))
    assert "Rencontre sans traduction" in text(
        client.get("/chronologie/", {"lang": "en", "year": "2014"})
    )
    event = text(client.get("/chronologie/2014-09-19-2e-journee-nationale/", {"lang": "en"}))
    assert "<h1>2nd national day of the PTCE</h1>" in event
    assert 'href="/charte/"' in event
    charter = text(client.get(CHARTER, {"lang": "en"}))
    assert "<h1>Charter of the PTCE collective approach</h1>" in charter
    assert "No signatory is recorded in the registry yet" in charter


def test_the_charter_is_linked_from_the_footer_and_about_page_and_in_the_sitemap(client, seeded):
    assert text(client.get("/a-propos/")).count('href="/charte/"') == 2
    assert "/charte/</loc>" in client.get("/sitemap.xml").content.decode()
    schema = client.get(reverse("api-v1:schema")).json()
    assert "/api/v1/charter/" in schema["paths"]
    root = client.get("/api/v1/").json()
    assert root["endpoints"]["charter"].endswith("/api/v1/charter/")


def test_the_database_refuses_a_signature_before_the_charter_or_a_pole_signing_twice():
    from django.db import IntegrityError, transaction

    charter, pole = CharterFactory(), PoleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CharterSignature.objects.create(charter=charter, pole=pole, signed_on=D(2014, 9, 1))
    CharterSignature.objects.create(charter=charter, pole=pole, signed_on=CHARTER_DATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        CharterSignature.objects.create(charter=charter, pole=pole, signed_on=CHARTER_DATE)
    assert Charter.objects.get().signatures.count() == 1


def test_a_signature_cites_its_own_documents_never_the_poles(client):
    pole = PoleFactory(name="Pôle cité")
    pole.sources.add(SourceDocumentFactory(title="Annonce des lauréats"))
    signature = CharterSignatureFactory(pole=pole, note="Signée au nom du pôle par sa présidente.")
    page = text(client.get(pole.get_absolute_url()))
    charter_line = page[page.index("<dt>Charte</dt>") :]
    charter_line = charter_line[: charter_line.index("</dd>")]
    assert "Annonce des lauréats" not in charter_line and "source" not in charter_line
    assert "Signée au nom du pôle par sa présidente." in charter_line
    signature.sources.add(SourceDocumentFactory(title="Compte rendu de la journée"))
    page = text(client.get(pole.get_absolute_url()))
    assert "(source : Compte rendu de la journée)" in page


def test_the_charters_admin_page_shows_each_signatory_without_a_query_each(
    client, curator, django_assert_max_num_queries
):
    charter, document = CharterFactory(), SourceDocumentFactory(title="Communiqué du jour")
    CharterSignatureFactory(charter=charter, pole=PoleFactory(name="Pôle Sud")).sources.add(
        document
    )
    client.force_login(curator)
    page = f"/admin/poles/charter/{charter.pk}/change/"
    with django_assert_max_num_queries(30) as few:
        client.get(page)
    for _n in range(10):
        CharterSignatureFactory(charter=charter, pole=PoleFactory()).sources.add(document)
        CharterSignatureFactory(charter=charter, organisation=OrganisationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        shown = text(client.get(page))
    # Each row still shows what it has chosen, as its selected option.
    assert re.search(r'<option value="\d+" selected>Pôle Sud</option>', shown)
    assert shown.count(">Communiqué du jour</option>") == 11
