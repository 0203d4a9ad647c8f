"""What partners send and get. Dates are ISO 8601; money is integer minor units plus an
ISO 4217 currency, e.g. {"amount_minor": 16500, "currency": "EUR"} is EUR 165.00."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.bookings import events
from apps.bookings.models import Booking, Hold
from apps.bookings.services.bookings import free_cancellation_until
from apps.bookings.services.stay import MAX_ROOMS_PER_BOOKING
from apps.groups.selectors import group_site_url


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable: switch on it (sold_out, hold_expired, "
                                           "busy, validation_error, not_found, …).")
    message = serializers.CharField(help_text="For people; may change.")
    extra = serializers.DictField(help_text="Details, e.g. the sold-out nights or the "
                                            "invalid fields.")


class MoneySerializer(serializers.Serializer):
    amount_minor = serializers.IntegerField(help_text="Integer minor units (cents).")
    currency = serializers.CharField(help_text="ISO 4217, e.g. EUR.")


def money(amount_minor: int, currency: str) -> dict:
    return {"amount_minor": amount_minor, "currency": currency}


class NightRateSerializer(serializers.Serializer):
    night = serializers.DateField()
    amount_minor = serializers.IntegerField(help_text="Per room, before taxes and fees.")


def night_rates(nightly_rates: dict) -> list[dict]:
    return [{"night": night, "amount_minor": rate["sell"]}
            for night, rate in sorted(nightly_rates.items())]


class VenueSerializer(serializers.Serializer):
    name = serializers.CharField(source="venue_name")
    city = serializers.CharField(source="venue_city")
    address = serializers.CharField(source="venue_address")


class GroupSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    currency = serializers.CharField()
    venue = VenueSerializer(source="*")
    microsite_url = serializers.SerializerMethodField()
    is_live = serializers.BooleanField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_microsite_url(self, group) -> str:
        return group_site_url(group)


class HotelSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    timezone = serializers.CharField()
    star_rating = serializers.IntegerField(allow_null=True)


class RoomTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    bed_type = serializers.CharField()
    max_occupancy = serializers.IntegerField()
    is_suite = serializers.BooleanField()


class RoomTypeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class BlockSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    hotel = HotelSerializer()
    arrival = serializers.DateField(help_text="First contracted night.")
    departure = serializers.DateField(help_text="Check-out after the last contracted night.")
    first_check_in = serializers.SerializerMethodField()
    last_check_out = serializers.SerializerMethodField()
    cutoff_date = serializers.DateField(help_text="Last day to book.")
    payment_mode = serializers.CharField()
    free_cancellation_days = serializers.IntegerField()
    hold_minutes = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.DATE)
    def get_first_check_in(self, block):
        from apps.bookings.selectors import bookable_nights
        return bookable_nights(block)[0]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_last_check_out(self, block):
        from apps.bookings.selectors import bookable_nights
        return bookable_nights(block)[1]


class AvailabilityNightSerializer(serializers.Serializer):
    night = serializers.DateField()
    available = serializers.IntegerField(help_text="Rooms left to book.")
    rate = MoneySerializer(allow_null=True, help_text="Per room and night, before taxes and "
                                                      "fees; null: not offered that night.")


class AvailabilityRowSerializer(serializers.Serializer):
    room_type = RoomTypeRefSerializer()
    nights = AvailabilityNightSerializer(many=True)


class AvailabilitySerializer(serializers.Serializer):
    block = serializers.IntegerField()
    first_check_in = serializers.DateField()
    last_check_out = serializers.DateField()
    room_types = AvailabilityRowSerializer(many=True)


def availability_data(block, grid, currency: str) -> dict:
    return {"block": block.pk, "first_check_in": grid.first_check_in.isoformat(),
            "last_check_out": grid.last_check_out.isoformat(),
            "room_types": [{
                "room_type": {"id": row.room_type.pk, "code": row.room_type.code,
                              "name": row.room_type.name},
                "nights": [{"night": cell.night.isoformat(), "available": max(0, cell.available),
                            "rate": (money(cell.sell_rate_minor, currency)
                                     if cell.offered else None)} for cell in row.cells]}
                for row in grid.rows]}


class StaySerializer(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    room_type = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                         help_text="A room type id of the block.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_ROOMS_PER_BOOKING,
                                        help_text="Rooms, the same for every night.")


class HoldCreateSerializer(StaySerializer):
    block = serializers.IntegerField(min_value=1)


class HoldSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=Hold.Status.choices)
    block = serializers.IntegerField(source="block_id")
    room_type = RoomTypeRefSerializer()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    nights = serializers.IntegerField()
    quantity = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    total = serializers.SerializerMethodField(help_text="Rooms, taxes and fees.")
    nightly_rates = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField(help_text="Reference once confirmed.")
    risk_score = serializers.FloatField(
        allow_null=True, help_text="APT-1 at hold time: probability (0-1) that the stay is "
                                   "cancelled; it sets the payment terms, never blocks.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(MoneySerializer)
    def get_total(self, hold):
        return money(hold.total_minor, hold.currency)

    @extend_schema_field(NightRateSerializer(many=True))
    def get_nightly_rates(self, hold):
        return night_rates(hold.nightly_rates)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_booking(self, hold):
        if hold.status != Hold.Status.CONFIRMED:
            return None
        return Booking.objects.filter(hold=hold).values_list("reference", flat=True).first()


class GuestSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    sharers = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                    default="", help_text="Others sharing the room(s).")
    special_requests = serializers.CharField(max_length=2000, required=False,
                                             allow_blank=True, default="")


class GuestOutSerializer(serializers.Serializer):
    first_name = serializers.CharField(source="guest_first_name")
    last_name = serializers.CharField(source="guest_last_name")
    email = serializers.EmailField(source="guest_email")
    phone = serializers.CharField(source="guest_phone")
    sharers = serializers.CharField()
    special_requests = serializers.CharField()


class BookingCreateSerializer(serializers.Serializer):
    hold = serializers.UUIDField(help_text="The id of an active hold of this group.")
    guest = GuestSerializer()


class BookingModifySerializer(serializers.Serializer):
    check_in = serializers.DateField(required=False)
    check_out = serializers.DateField(required=False)
    room_type = serializers.IntegerField(min_value=1, required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_ROOMS_PER_BOOKING,
                                        required=False)


class BookingSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    hold = serializers.SerializerMethodField()
    block = serializers.IntegerField(source="block_id")
    room_type = RoomTypeRefSerializer()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    nights = serializers.IntegerField()
    quantity = serializers.IntegerField()
    guest = GuestOutSerializer(source="*")
    total = serializers.SerializerMethodField(help_text="Rooms, taxes and fees.")
    nightly_rates = serializers.SerializerMethodField()
    payment_mode = serializers.CharField()
    channel = serializers.CharField()
    free_cancellation_until = serializers.SerializerMethodField()
    risk_score = serializers.FloatField(
        allow_null=True, help_text="APT-1: calibrated probability (0-1) that this stay is "
                                   "cancelled; null until scored.")
    risk_model_version = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_hold(self, booking):
        return str(booking.hold.public_id) if booking.hold_id else None

    @extend_schema_field(MoneySerializer)
    def get_total(self, booking):
        return money(booking.total_minor, booking.currency)

    @extend_schema_field(NightRateSerializer(many=True))
    def get_nightly_rates(self, booking):
        return night_rates(booking.nightly_rates)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_free_cancellation_until(self, booking):
        return free_cancellation_until(booking).isoformat()


BOOKING_RELATED = ["room_type", "block", "hold"]


def event_data(event_type: str, payload: dict) -> dict | None:
    """The `data` of a webhook: the booking or hold as the API shows it (group schema)."""
    if event_type == events.HOLD_EXPIRED:
        hold = Hold.objects.select_related("room_type").filter(pk=payload["hold_id"]).first()
        return HoldSerializer(hold).data if hold else None
    booking = (Booking.objects.select_related(*BOOKING_RELATED)
               .filter(pk=payload["booking_id"]).first())
    return BookingSerializer(booking).data if booking else None
