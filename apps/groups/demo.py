"""The demo `make run` loads: one agency, its planner, three events and their hotels.

Running it again changes nothing: everything is looked up by its natural key first.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tenants.utils import tenant_context

from apps.hotels.models import Hotel, RoomType
from apps.inventory.models import RoomBlock
from apps.inventory.services import block_create, block_nights_set

from .models import Agency, Group
from .services import Branding, group_create, membership_grant

PLANNER = ("planner", "ancile-demo")
ADMIN = ("admin", "ancile-admin")


@dataclass
class DemoResult:
    groups: list[Group]
    created: bool


def _user(username, password, **flags):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=flags)
    if created:
        user.set_password(password)
        user.save()
    return user


def _hotels():
    specs = [
        ("demo-PT-001", "Quinta do Lago Grande", "Sintra", "PT", "Europe/Lisbon", "EUR", 5,
         "A 19th-century estate in the hills above Sintra, ten minutes from the venue.",
         [("DBL", "Garden Double", "queen", 2, False), ("KNG", "Palace King", "king", 2, False),
          ("STE", "Tower Suite", "suite", 4, True)]),
        ("demo-PT-002", "Hotel Vila Azul", "Sintra", "PT", "Europe/Lisbon", "EUR", 3,
         "A friendly family hotel in the old town, a short walk from the shuttle stop.",
         [("TWN", "Twin Room", "twin", 2, False), ("DBL", "Double Room", "double", 2, False)]),
        ("demo-DE-001", "Messehotel Berlin Mitte", "Berlin", "DE", "Europe/Berlin", "EUR", 4,
         "Business hotel connected to the congress centre by a covered walkway.",
         [("SGL", "Single Executive", "queen", 1, False), ("DBL", "Double Executive", "king", 2,
                                                            False)]),
    ]
    hotels = {}
    for code, name, city, country, tz, currency, stars, text, rooms in specs:
        hotel, _ = Hotel.objects.get_or_create(
            supplier="demo", supplier_code=code,
            defaults=dict(name=name, city=city, country=country, timezone=tz,
                          currency=currency, star_rating=stars, description=text,
                          tax_percent=6 if country == "PT" else 7,
                          fee_per_night_minor=200 if country == "PT" else 0))
        for room_code, room_name, bed, occupancy, suite in rooms:
            RoomType.objects.get_or_create(hotel=hotel, code=room_code, defaults=dict(
                name=room_name, bed_type=bed, max_occupancy=occupancy, is_suite=suite))
        hotels[code] = hotel
    return hotels


def _block(hotel, name, arrival, nights, rates, cutoff_days=30,
           payment_mode=RoomBlock.PaymentMode.PAY_AT_HOTEL, payment_terms=None):
    if RoomBlock.objects.filter(hotel=hotel, name=name).exists():
        return
    block = block_create(hotel=hotel, name=name, arrival=arrival,
                         departure=arrival + timedelta(days=nights),
                         cutoff_date=arrival - timedelta(days=cutoff_days),
                         shoulder_nights_before=1, shoulder_nights_after=1,
                         status=RoomBlock.Status.DEFINITE, payment_mode=payment_mode)
    if payment_terms is not None:  # guests pay online (apps.payments): deposit and float
        from apps.payments.models import PaymentTerms

        PaymentTerms.objects.create(block=block, **payment_terms)
    for code, allotment, net, sell in rates:
        room_type = hotel.room_types.get(code=code)
        block_nights_set(block=block, room_type=room_type, first_night=arrival,
                         last_night=arrival + timedelta(days=nights - 1), allotment=allotment,
                         net_rate_minor=net, sell_rate_minor=sell)


def demo_load(*, today: date | None = None) -> DemoResult:
    today = today or date.today()
    created = not Group.objects.filter(slug="ana-and-ben").exists()
    with transaction.atomic():
        planner = _user(*PLANNER, first_name="Marta", last_name="Silva")
        _user(*ADMIN, is_staff=True, is_superuser=True)
        agency, _ = Agency.objects.get_or_create(
            slug="lumen-events", defaults={"name": "Lumen Events",
                                           "contact_email": "hello@lumen.example"})
        agency.members.add(planner)
        other, _ = Agency.objects.get_or_create(slug="north-mice",
                                                defaults={"name": "North MICE"})
        hotels = _hotels()

    wedding_day = today + timedelta(days=120)
    congress_day = today + timedelta(days=75)
    specs = [
        dict(agency=agency, slug="ana-and-ben", name="Ana & Ben's Wedding",
             kind=Group.Kind.WEDDING, starts_on=wedding_day,
             ends_on=wedding_day + timedelta(days=1), venue_name="Palácio de Seteais",
             venue_city="Sintra", branding=Branding(
                 welcome_text="We can't wait to celebrate with you in Sintra!\n"
                              "We've set aside rooms at two hotels near the palace. "
                              "Book by the date shown so we can keep your room.",
                 primary_colour="#5b3a5e", accent_colour="#d9a441")),
        dict(agency=agency, slug="medtech-2027", name="MedTech Congress 2027",
             kind=Group.Kind.CONFERENCE, starts_on=congress_day,
             ends_on=congress_day + timedelta(days=2), venue_name="CityCube",
             venue_city="Berlin", branding=Branding(
                 welcome_text="Official hotels for delegates, at the congress rate.",
                 primary_colour="#0b4f8a", accent_colour="#19a974")),
        dict(agency=other, slug="nordic-sales-kickoff", name="Nordic Sales Kick-off",
             kind=Group.Kind.INCENTIVE, starts_on=congress_day + timedelta(days=10),
             ends_on=congress_day + timedelta(days=12), venue_city="Berlin"),
    ]
    groups = []
    for spec in specs:
        group = Group.objects.filter(slug=spec["slug"]).first()
        if group is None:
            owner = planner if spec["agency"] == agency else None
            group = group_create(owner=owner, **spec)
        groups.append(group)

    wedding, congress, kickoff = groups
    membership_grant(group=congress, user=planner)
    with tenant_context(wedding):
        _block(hotels["demo-PT-001"], "Wedding block – Quinta", wedding_day - timedelta(days=1),
               3, [("DBL", 12, 14000, 16500), ("KNG", 8, 17000, 19900), ("STE", 2, 32000,
                                                                          36000)],
               payment_mode=RoomBlock.PaymentMode.PREPAY,
               payment_terms=dict(hotel_payout="after_check_in", agency_payout="at_booking"))
        _block(hotels["demo-PT-002"], "Wedding block – Vila Azul", wedding_day - timedelta(
            days=1), 3, [("TWN", 10, 8000, 9500), ("DBL", 10, 8500, 9900)],
               payment_mode=RoomBlock.PaymentMode.DEPOSIT,
               payment_terms=dict(deposit_kind="first_night", balance_due_days=30,
                                  hotel_payout="at_cutoff"))
    with tenant_context(congress):
        _block(hotels["demo-DE-001"], "Delegates", congress_day - timedelta(days=1), 4,
               [("SGL", 60, 11000, 12900), ("DBL", 40, 13000, 14900)], cutoff_days=21,
               payment_mode=RoomBlock.PaymentMode.DEPOSIT,
               payment_terms=dict(deposit_percent=20, balance_due_days=21))
    with tenant_context(kickoff):
        _block(hotels["demo-DE-001"], "Kick-off team", congress_day + timedelta(days=9), 3,
               [("DBL", 25, 12500, 14000)])
    from apps.partners.demo import demo_partner_load  # the partner API's demo token

    demo_partner_load(agency=agency)
    return DemoResult(groups=groups, created=created)
