"""Factories for tests. Groups are made through the real service (schema and domain)."""

import itertools
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model

from apps.groups.models import Agency
from apps.hotels.models import Hotel, RoomType

_sequence = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"planner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("secret-pass-123")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class HotelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotel

    name = factory.Sequence(lambda n: f"Hotel {n}")
    city = "Lisbon"
    country = "PT"
    currency = "EUR"


class RoomTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomType

    hotel = factory.SubFactory(HotelFactory)
    code = factory.Sequence(lambda n: f"RT{n}")
    name = factory.Sequence(lambda n: f"Room type {n}")


def group_create_for_test(*, slug: str | None = None, owner=None, agency=None,
                          starts_in_days: int = 90, **fields):
    from apps.groups.services import group_create

    slug = slug or f"group-{next(_sequence)}"
    starts_on = date.today() + timedelta(days=starts_in_days)
    defaults = dict(name=slug.replace("-", " ").title(), kind="wedding", starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=1))
    defaults.update(fields)
    return group_create(agency=agency or AgencyFactory(), slug=slug, owner=owner, **defaults)
