"""A group with one block at a hotel with a double and a suite, and a way to book it."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.inventory.models import BlockNight, RoomBlock
from apps.inventory.services import block_create, block_nights_set
from tests.factories import HotelFactory, RoomTypeFactory, UserFactory, group_create_for_test

ARRIVAL = date.today() + timedelta(days=60)


@dataclass
class Setup:
    group: object
    planner: object
    block: RoomBlock
    double: object
    suite: object
    twin: object     # a room type of the hotel not yet in the block


@pytest.fixture
def setup(db) -> Setup:
    planner = UserFactory(username="marta")
    group = group_create_for_test(owner=planner, currency="EUR")
    hotel = HotelFactory(name="Hotel Avenida")
    double = RoomTypeFactory(hotel=hotel, code="DBL", name="Double")
    suite = RoomTypeFactory(hotel=hotel, code="STE", name="Suite", is_suite=True)
    twin = RoomTypeFactory(hotel=hotel, code="TWN", name="Twin")
    with tenant_context(group):
        block = block_create(hotel=hotel, name="Wedding block", arrival=ARRIVAL,
                             departure=ARRIVAL + timedelta(days=3),
                             cutoff_date=ARRIVAL - timedelta(days=30))
        block_nights_set(block=block, room_type=double, first_night=ARRIVAL,
                         last_night=ARRIVAL + timedelta(days=2), allotment=10,
                         net_rate_minor=10000, sell_rate_minor=12000)
        block_nights_set(block=block, room_type=suite, first_night=ARRIVAL,
                         last_night=ARRIVAL + timedelta(days=2), allotment=2,
                         net_rate_minor=30000, sell_rate_minor=36000)
    return Setup(group=group, planner=planner, block=block, double=double, suite=suite,
                 twin=twin)


def book(block, room_type, check_in: date, nights: int, quantity: int = 1,
         status=Booking.Status.CONFIRMED, **guest) -> Booking:
    """A booking made directly, with BlockNight.booked bumped to match (call in the schema)."""
    check_out = check_in + timedelta(days=nights)
    details = {"guest_first_name": "Ana", "guest_last_name": "Silva",
               "guest_email": "ana@example.com"}
    details.update(guest)
    if status == Booking.Status.CANCELLED:
        details.setdefault("cancelled_at", timezone.now())
    booking = Booking.objects.create(
        block=block, room_type=room_type, check_in=check_in, check_out=check_out,
        quantity=quantity, status=status, total_minor=0, currency="EUR",
        payment_mode=block.payment_mode, **details)
    if status == Booking.Status.CONFIRMED:
        updated = (BlockNight.objects
                   .filter(block=block, room_type=room_type, night__gte=check_in,
                           night__lt=check_out)
                   .update(booked=F("booked") + quantity))
        assert updated == nights
    return booking


def cells(block, room_type) -> dict:
    return {row.night: row for row in BlockNight.objects.filter(block=block,
                                                               room_type=room_type)}
