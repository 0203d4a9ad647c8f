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


def block_for_test(group, room_type, *, arrival: date, nights: int = 2, allotment: int = 5,
                   net_rate_minor: int = 10000, sell_rate_minor: int = 12000,
                   cutoff_days: int = 20, name: str = "Main", **fields):
    """A block in `group` with `allotment` rooms of `room_type` on each of `nights` nights
    from `arrival`, at one rate; `fields` go to block_create (payment_mode, ...)."""
    from django_tenants.utils import tenant_context

    from apps.inventory.services import block_create

    with tenant_context(group):
        block = block_create(hotel=room_type.hotel, name=name, arrival=arrival,
                             departure=arrival + timedelta(days=nights),
                             cutoff_date=arrival - timedelta(days=cutoff_days), **fields)
    rooms_for_test(group, block, room_type, allotment=allotment,
                   net_rate_minor=net_rate_minor, sell_rate_minor=sell_rate_minor)
    return block


def rooms_for_test(group, block, room_type, *, allotment: int, net_rate_minor: int,
                   sell_rate_minor: int) -> None:
    """`allotment` rooms of another room type on every contracted night of `block`."""
    from django_tenants.utils import tenant_context

    from apps.inventory.services import block_nights_set

    with tenant_context(group):
        block_nights_set(block=block, room_type=room_type, first_night=block.arrival,
                         last_night=block.departure - timedelta(days=1), allotment=allotment,
                         net_rate_minor=net_rate_minor, sell_rate_minor=sell_rate_minor)


def zone_on_another_day() -> tuple[str, date, date]:
    """(time zone, its date now, UTC's date now) for a zone whose date differs from UTC's:
    at any moment UTC+14 or UTC-12 is on another day."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    utc_today = timezone.now().astimezone(ZoneInfo("UTC")).date()
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):  # UTC+14, UTC-12
        zone_today = timezone.now().astimezone(ZoneInfo(zone)).date()
        if zone_today != utc_today:
            return zone, zone_today, utc_today
    raise AssertionError("UTC+14 and UTC-12 on UTC's own day: not possible")
