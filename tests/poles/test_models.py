import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from members.models import Membership
from poles.models import CHARTER_DATE, Objective, Pole
from tests.factories import (
    FormerRegionFactory,
    MembershipFactory,
    PoleFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db


def test_eight_objectives_exist_in_the_order_of_the_2011_call():
    codes = list(Objective.objects.values_list("code", flat=True))
    assert codes == [choice.value for choice in Objective.Code]
    assert len(codes) == 8
    assert str(Objective.objects.first()).startswith("Mutualisation significative")


def test_two_poles_cannot_share_a_slug():
    PoleFactory(slug="pole-sud-archer")
    with pytest.raises(IntegrityError), transaction.atomic():
        PoleFactory(name="Autre", slug="pole-sud-archer")


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(91.0, 2.0), (-90.5, 2.0), (45.0, 181.0), (45.0, -180.01), (45.0, None)],
)
def test_database_refuses_a_point_out_of_range_or_half_given(latitude, longitude):
    with pytest.raises(IntegrityError), transaction.atomic():
        PoleFactory(latitude=latitude, longitude=longitude)


def test_full_clean_explains_a_half_given_point_in_french():
    pole = PoleFactory.build(latitude=45.0, longitude=None, region=RegionFactory())
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "longitude" in error.value.message_dict
    assert "latitude et la longitude ensemble" in str(error.value)


def test_full_clean_refuses_a_latitude_out_of_range():
    pole = PoleFactory.build(latitude=123.0, longitude=2.0, region=RegionFactory())
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "latitude" in error.value.message_dict


def test_founding_year_cannot_be_in_the_future():
    pole = PoleFactory.build(founded_year=datetime.date.today().year + 2, region=RegionFactory())
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "founded_year" in error.value.message_dict


def test_charter_cannot_be_signed_before_it_existed():
    with pytest.raises(IntegrityError), transaction.atomic():
        PoleFactory(charter_signed_on=datetime.date(2014, 9, 18))
    pole = PoleFactory(charter_signed_on=datetime.date(2014, 9, 19))
    assert Pole.objects.with_charter_date().get(pk=pole.pk).charter_signed_on == CHARTER_DATE


def test_commune_code_is_checked():
    pole = PoleFactory.build(commune_code="7505", commune_name="Paris", region=RegionFactory())
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "commune_code" in error.value.message_dict
    PoleFactory.build(
        commune_code="2A004", commune_name="Ajaccio", region=RegionFactory()
    ).full_clean()


def test_every_save_increments_the_version():
    pole = PoleFactory()
    assert pole.version == 1
    pole.summary = "Nouveau résumé"
    pole.save()
    pole.refresh_from_db()
    assert pole.version == 2
    pole.save(update_fields=["summary"])
    pole.refresh_from_db()
    assert pole.version == 3


def test_bump_version_updates_version_and_timestamp():
    pole = PoleFactory(is_published=False)
    before = pole.updated_at
    Pole.objects.filter(pk=pole.pk).bump_version(is_published=True)
    pole.refresh_from_db()
    assert pole.is_published and pole.version == 2 and pole.updated_at > before


def test_published_hides_unpublished_poles():
    visible = PoleFactory(is_published=True)
    PoleFactory(is_published=False)
    assert list(Pole.objects.published()) == [visible]


def test_in_region_accepts_a_region_a_former_region_or_a_slug():
    grand_est = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    lorraine = FormerRegionFactory(code="41", name="Lorraine", region=grand_est)
    pole = PoleFactory(region=grand_est)
    PoleFactory(region=RegionFactory(code="11", name="Île-de-France", slug="ile-de-france"))
    assert list(Pole.objects.in_region(grand_est)) == [pole]
    assert list(Pole.objects.in_region(lorraine)) == [pole]
    assert list(Pole.objects.in_region("grand-est")) == [pole]


def test_member_count_ignores_organisations_that_left():
    pole = PoleFactory()
    MembershipFactory(pole=pole)
    founder = MembershipFactory(pole=pole, role=Membership.Role.FOUNDER)
    MembershipFactory(pole=pole, organisation=founder.organisation, role=Membership.Role.FUNDER)
    MembershipFactory(
        pole=pole, joined_on=datetime.date(2012, 1, 1), left_on=datetime.date(2015, 1, 1)
    )
    assert Pole.objects.with_member_count().get(pk=pole.pk).member_count == 2


def _commune(code="26281", name="Romans-sur-Isère", region=None, lat=45.0434, lon=5.0513):
    from poles.models import Commune

    region = region or RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="ara")
    return Commune.objects.create(
        code=code, name=name, department=code[:2], region=region, latitude=lat, longitude=lon
    )


def test_setting_a_commune_sets_name_region_and_point():
    commune = _commune()
    pole = PoleFactory.build(region=None, commune_code="26281", commune_name="")
    pole.full_clean()
    assert (pole.commune_name, pole.region) == ("Romans-sur-Isère", commune.region)
    assert (pole.latitude, pole.longitude) == (45.0434, 5.0513)


def test_moving_the_point_by_hand_is_kept_while_the_commune_stays():
    _commune()
    pole = PoleFactory(region=None, commune_code="26281", commune_name="Romans-sur-Isère",
                       latitude=45.0434, longitude=5.0513)
    pole = Pole.objects.get(pk=pole.pk)
    pole.latitude, pole.longitude = 45.05, 5.06
    pole.full_clean()
    assert (pole.latitude, pole.longitude) == (45.05, 5.06)
    pole.save()
    pole = Pole.objects.get(pk=pole.pk)  # a later edit moves the pole to another commune
    _commune(code="38563", name="Voiron", region=pole.region, lat=45.364, lon=5.589)
    pole.commune_code = "38563"
    pole.full_clean()
    assert (pole.commune_name, pole.latitude, pole.longitude) == ("Voiron", 45.364, 5.589)


def test_a_point_given_with_a_new_commune_in_the_same_edit_is_kept():
    """Typed or placed on the map beside the new commune's code: not replaced by the
    commune's centre (it was, without a word)."""
    _commune()
    _commune(code="38563", name="Voiron", lat=45.364, lon=5.589,
             region=Pole._meta.get_field("region").related_model.objects.get())
    pole = PoleFactory(region=None, commune_code="26281", commune_name="Romans-sur-Isère",
                       latitude=45.0434, longitude=5.0513)
    pole = Pole.objects.get(pk=pole.pk)
    pole.commune_code, pole.latitude, pole.longitude = "38563", 45.37, 5.6
    pole.full_clean()
    assert (pole.commune_name, pole.latitude, pole.longitude) == ("Voiron", 45.37, 5.6)
    new = PoleFactory.build(region=None, commune_code="38563", latitude=45.36, longitude=5.58)
    new.full_clean()
    assert (new.commune_name, new.latitude, new.longitude) == ("Voiron", 45.36, 5.58)


def test_a_postal_or_arrondissement_code_is_refused_with_the_code_to_give():
    """« 75018 » (a postal code) or « 75118 » (Paris 18e's own INSEE code) were refused with
    « Aucune commune ne porte ce code INSEE. » and « Indiquez le nom de la commune qui
    correspond au code. », a name no one could type to match: the leader did not learn that
    Paris is 75056. Now one message says which code to give."""
    region = RegionFactory(code="11", name="Île-de-France", slug="idf")
    paris = _commune(code="75056", name="Paris", region=region)
    paris.postal_codes = "75001 75018 75116"
    paris.save()
    for number in range(4):  # four communes share one postal code
        commune = _commune(code=f"0100{number}", name=f"Bourg {number}", region=region)
        commune.postal_codes = "01300 01301"
        commune.save()
    expected = {
        "75018": "75018 est un code postal, pas un code INSEE : le code INSEE de Paris est 75056.",
        "75118": "75118 est le code d'un arrondissement : indiquez celui de la commune, "
                 "Paris (75056).",
        "01300": "01300 est un code postal, pas un code INSEE. Indiquez le code INSEE de votre "
                 "commune parmi celles qui ont ce code postal : Bourg 0 (01000), Bourg 1 "
                 "(01001), Bourg 2 (01002), …",
        "99999": "Aucune commune ne porte ce code INSEE.",
    }
    for code, message in expected.items():
        pole = PoleFactory.build(region=None, commune_code=code, commune_name="")
        with pytest.raises(ValidationError) as error:
            pole.full_clean()
        assert error.value.message_dict == {"commune_code": [message]}
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            PoleFactory.build(region=None, commune_code="75018", commune_name="").full_clean()
        assert error.value.messages == [
            "75018 is a postcode, not an INSEE code: the INSEE code of Paris is 75056."
        ]


def test_unknown_commune_is_refused_and_the_commune_decides_the_region():
    commune = _commune()
    pole = PoleFactory.build(region=None, commune_code="26999", commune_name="X")
    with pytest.raises(ValidationError) as error:
        pole.full_clean()
    assert "Aucune commune ne porte ce code" in str(error.value)
    pole = PoleFactory.build(
        region=RegionFactory(code="11", name="Île-de-France", slug="idf"), commune_code="26281"
    )
    pole.full_clean()
    assert pole.region == commune.region
