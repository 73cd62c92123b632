"""factory-boy factories for the people and care tables."""

from __future__ import annotations

from datetime import date

import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from lachealth.care.models import Child, Episode
from lachealth.interop.models import ImportAttempt
from lachealth.people.areas import load_areas, load_nations
from lachealth.people.models import Area, Membership, Organisation, OrganisationKind, User


def ensure_areas() -> None:
    """The shipped areas. Migrations load them, but browser tests (transactional) empty every
    table when they finish, so tests that need areas make sure of them first."""
    if not Area.objects.exists():
        load_areas(Area)
        load_nations(Area)


def area(code: str) -> Area:
    """Areas come from the shipped list (loaded by migration), never from a factory."""
    return Area.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.LOCAL_AUTHORITY

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.areas.set(extracted)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    la_child_id = factory.Sequence(lambda n: f"C{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(2015, 6, 1)
    sex = "F"
    ethnicity = "WBRI"
    looked_after = True

    @factory.lazy_attribute
    def current_placement_area(self):  # type: ignore[no-untyped-def]
        return self.responsible_area


class EpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Episode

    child = factory.SubFactory(ChildFactory)
    decom = date(2024, 1, 10)
    rne = "S"
    ls = "C2"
    cin = "N1"
    place = "U4"
    place_provider = "PR1"
    pl_post = "BD1 1AA"

    @factory.lazy_attribute
    def placement_area(self):  # type: ignore[no-untyped-def]
        return self.child.current_placement_area or self.child.responsible_area


def child_in_care(responsible: Area, placed: Area | None = None, **kwargs) -> Child:  # type: ignore[no-untyped-def]
    """A looked-after child with one open episode, placed in `placed` (default: at home)."""
    placed = placed or responsible
    child = ChildFactory(responsible_area=responsible, current_placement_area=placed, **kwargs)
    EpisodeFactory(child=child, placement_area=placed)
    return child


class ImportAttemptFactory(factory.django.DjangoModelFactory):
    """An SSDA903 return's upload as the import log keeps it (no files: the outcome only)."""

    class Meta:
        model = ImportAttempt

    collection_year = 2026
    uploaded_by = factory.SubFactory(UserFactory)
    status = "imported"
