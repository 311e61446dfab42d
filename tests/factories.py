"""factory-boy factories: test data built in the tests, never from the seed fixtures."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.text import slugify

from calls.models import Application, Call, Milestone
from members.models import Membership, Organisation
from poles.models import (
    CHARTER_DATE,
    Charter,
    CharterSignature,
    Commune,
    Event,
    FormerRegion,
    Pole,
    Region,
    Sector,
    SourceDocument,
)
from poles.registry.search.indexer import deferred_indexing
from ptce_site.curators import CURATORS_GROUP


class IndexedOnceFactory(factory.django.DjangoModelFactory):
    """A factory whose object and everything it creates with it (sub-factories, sectors) are
    indexed for search once, as the admin's save of a form and its inlines, not once per
    write."""

    class Meta:
        abstract = True

    @classmethod
    def create(cls, **kwargs):
        with deferred_indexing():
            return super().create(**kwargs)

    @classmethod
    def create_batch(cls, size, **kwargs):
        """The whole batch indexed at once, in a few queries, as an import does."""
        with deferred_indexing():
            return super().create_batch(size, **kwargs)


def _siren(n: int) -> str:
    """A valid SIREN (Luhn) built from a sequence number."""
    from members.models import luhn_is_valid

    base = f"{(100000000 + n * 10) // 10:08d}"[-8:]
    for last in range(10):
        candidate = f"{base}{last}"
        if luhn_is_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # "A0" to "Z9": never the INSEE code of a real region (tests create those by their codes:
    # a sequence of digits once gave a pole "84" beside a test's own "84").
    code = factory.Sequence(lambda n: f"{chr(65 + n // 10 % 26)}{n % 10}")
    name = factory.Sequence(lambda n: f"Région {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class FormerRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FormerRegion
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{chr(65 + n // 10 % 26)}{n % 10}")  # as RegionFactory
    name = factory.Sequence(lambda n: f"Ancienne région {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    region = factory.SubFactory(RegionFactory)
    departments = "01 02"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Secteur {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class SourceDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDocument

    key = factory.Sequence(lambda n: f"document-{n}")
    title = factory.Sequence(lambda n: f"Document {n}")


class PoleFactory(IndexedOnceFactory):
    class Meta:
        model = Pole
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pôle coopératif {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    summary = "Un pôle de coopération économique sur son territoire."
    status = Pole.Status.OPERATIONAL
    region = factory.SubFactory(RegionFactory)
    is_published = True

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)

    @factory.post_generation
    def charter_signed_on(self, create, extracted, **kwargs):
        """``PoleFactory(charter_signed_on=date)``: the pole signed the charter that day (its
        signature row, the one place that records it)."""
        if create and extracted:
            if isinstance(extracted, str):
                extracted = datetime.date.fromisoformat(extracted)
            CharterSignatureFactory(pole=self, signed_on=extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.ESS_ENTERPRISE
    legal_form = Organisation.LegalForm.ASSOCIATION
    siren = factory.Sequence(_siren)


class MembershipFactory(IndexedOnceFactory):
    class Meta:
        model = Membership

    pole = factory.SubFactory(PoleFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Appel à projets {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    year = 2013
    kind = Call.Kind.INTERMINISTERIAL


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    call = factory.SubFactory(CallFactory)
    date = factory.Faker("date_between", start_date="-10y", end_date="today")
    label = factory.Sequence(lambda n: f"Étape {n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Rencontre {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    kind = Event.Kind.SEMINAR
    start_date = datetime.date(2013, 2, 28)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    pole = factory.SubFactory(PoleFactory)
    outcome = Application.Outcome.LAUREATE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("motdepasse-solide-2026")


class CuratorFactory(UserFactory):
    """Network staff: staff member of the Curators group, not a superuser."""

    class Meta:
        skip_postgeneration_save = True  # the group is added to the saved user

    is_staff = True

    @factory.post_generation
    def curators_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=CURATORS_GROUP))


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{75000 + n % 1000:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    department = factory.LazyAttribute(lambda o: o.code[:2])
    region = factory.SubFactory(RegionFactory)
    latitude = 45.75
    longitude = 4.85


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (60, 40), mode: str = "RGB") -> bytes:
    """A small real image, for upload tests."""
    import io

    from PIL import Image

    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    output = io.BytesIO()
    image.save(output, format=fmt)
    return output.getvalue()


class CharterFactory(factory.django.DjangoModelFactory):
    """The charter (one, found again by its slug)."""

    class Meta:
        model = Charter
        django_get_or_create = ("slug",)

    title = "Charte de la démarche collective PTCE"
    slug = "charte-de-la-demarche-collective-ptce"
    signed_on = CHARTER_DATE


class CharterSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharterSignature

    charter = factory.SubFactory(CharterFactory)
    signed_on = CHARTER_DATE
