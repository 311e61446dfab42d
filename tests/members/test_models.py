import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Membership, Organisation, luhn_is_valid
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db

# Nine-digit numbers that pass the Luhn check, as every SIREN does.
VALID_SIRENS = ["732829320", "552081317", "130005481"]


@pytest.mark.parametrize("siren", VALID_SIRENS)
def test_valid_siren_numbers_pass_the_luhn_check(siren):
    assert luhn_is_valid(siren)
    OrganisationFactory.build(siren=siren).full_clean()


@pytest.mark.parametrize(
    ("siren", "message"),
    [
        ("732829321", "clé de contrôle"),
        ("73282932", "exactement 9 chiffres"),
        ("7328293200", "exactement 9 chiffres"),
        ("73282932A", "exactement 9 chiffres"),
        ("732 829 320", "exactement 9 chiffres"),
        ("७३२८२९३२०", "exactement 9 chiffres"),  # non-ASCII digits
    ],
)
def test_bad_siren_is_refused_with_a_clear_message(siren, message):
    organisation = OrganisationFactory.build(siren=siren)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert message in " ".join(error.value.message_dict["siren"])


def test_siren_is_optional_and_unique_only_when_present():
    OrganisationFactory(siren="")
    OrganisationFactory(siren="")
    OrganisationFactory(siren="732829320")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(siren="732829320")


def test_duplicate_siren_gets_a_french_message_from_full_clean():
    OrganisationFactory(siren="732829320")
    with pytest.raises(ValidationError) as error:
        OrganisationFactory.build(siren="732829320").full_clean()
    assert "déjà ce numéro SIREN" in str(error.value)


def test_database_refuses_a_siren_of_the_wrong_length():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="X", slug="x", kind="ess", siren="12345")


def test_one_membership_per_pole_organisation_and_role():
    membership = MembershipFactory(role=Membership.Role.MEMBER)
    MembershipFactory(
        pole=membership.pole, organisation=membership.organisation, role=Membership.Role.FUNDER
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            pole=membership.pole, organisation=membership.organisation, role=Membership.Role.MEMBER
        )


def test_left_date_cannot_precede_joined_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(joined_on=datetime.date(2014, 1, 1), left_on=datetime.date(2013, 1, 1))
    membership = MembershipFactory.build(
        pole=MembershipFactory().pole,
        organisation=OrganisationFactory(),
        joined_on=datetime.date(2014, 1, 1),
        left_on=datetime.date(2013, 12, 31),
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "date de départ ne peut pas précéder" in str(error.value)


def test_an_organisation_in_a_pole_cannot_be_deleted_silently():
    membership = MembershipFactory()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        membership.organisation.delete()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_is_current_until_its_departure_date_comes():
    today = timezone.localdate()
    pole = PoleFactory()
    dates = {"none": None, "today": today, "tomorrow": today + datetime.timedelta(days=1),
             "last_year": today - datetime.timedelta(days=365)}
    memberships = {
        name: MembershipFactory(pole=pole, left_on=left_on) for name, left_on in dates.items()
    }
    current = set(Membership.objects.current().values_list("pk", flat=True))
    assert {name for name, m in memberships.items() if m.pk in current} == {"none", "tomorrow"}
    assert {name for name, m in memberships.items() if m.is_current} == {"none", "tomorrow"}
