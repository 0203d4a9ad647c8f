"""The partner API under /api/v1/ on the public host. Thin: validate, call one service or
selector, render. Every request runs in the public schema until the group is known, then
in that group's schema; a token never reaches a group it was not given."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.http import JsonResponse
from django.urls import get_urlconf, set_urlconf
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.bookings.models import Booking, Hold
from apps.bookings.selectors import availability_grid, stay_options
from apps.bookings.services import (GuestDetails, booking_cancel, booking_confirm,
                                    booking_modify, hold_create, hold_release)
from apps.core.exceptions import ApplicationError, NotFound, ValidationFailed
from apps.groups.selectors import group_site_url
from apps.hotels.models import RoomType
from apps.inventory.models import RoomBlock
from apps.payments.selectors import payment_plan
from apps.payments.services import checkout_start

from ..selectors import api_hold_key, group_for_token, groups_for_token
from . import serializers as s
from .auth import ApiTokenAuthentication, HasScope, TokenRateThrottle
from .idempotency import HEADER, idempotent

logger = logging.getLogger(__name__)


class PaymentRequired(ApplicationError):
    status = 402


class Pagination(CursorPagination):
    """Cursor pages in a stable order; `limit` up to 100. A cursor that was not one of
    ours (its position is not a value of the ordering field) is "Invalid cursor", 404."""

    page_size = 25
    page_size_query_param = "limit"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
            try:
                if "\x00" in cursor.position:
                    raise ValueError("NUL")
                field.to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError):
                raise NotFound(self.invalid_cursor_message, code="not_found") from None
        return cursor


class GroupPagination(Pagination):
    ordering = ("slug",)


class BlockPagination(Pagination):
    ordering = ("arrival", "id")


def errors(*statuses: int) -> dict:
    described = {400: "Invalid fields or query parameters (validation_error)",
                 401: "No token, an unknown or a revoked one",
                 402: "payment_required: the guest pays online first (extra.checkout_url)",
                 403: "The token lacks the scope",
                 404: "Not found, or not reachable with this token",
                 409: "sold_out, hold_expired, hold_released, booking_cancelled, "
                      "block_closed, past_cutoff, request_in_progress (with Retry-After)",
                 422: "The request breaks a rule (stay_outside_block, "
                      "room_type_not_offered, idempotency_key_required, "
                      "idempotency_key_reused, …)",
                 429: "rate_limited, with Retry-After",
                 503: "busy: try again shortly"}
    return {code: OpenApiResponse(s.ErrorSerializer, description=described[code])
            for code in statuses}


READ_ERRORS = (400, 401, 403, 404, 429)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422, 429, 503)
IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
    description="Unique per write; a retry with the same key gets the first response.")


class PartnerView(GenericAPIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    pagination_class = None
    metadata_class = None  # OPTIONS: 405, not a description of the wrong serializers
    group = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # token, scope, rate limit
        slug = kwargs.get("slug")
        if slug is not None:
            group = group_for_token(request.auth, slug)
            if group is None:
                raise NotFound("No group with this slug is reachable with this token.",
                               code="not_found", extra={"group": slug})
            self.group = group
            connection.set_tenant(group)

    def dispatch(self, request, *args, **kwargs):
        previous = connection.tenant  # the public schema, on the public host
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            connection.set_tenant(previous)

    def valid(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def block(self, block_id) -> RoomBlock:
        block = RoomBlock.objects.select_related("hotel").filter(pk=block_id).first()
        if block is None:
            raise NotFound("This group has no such block.", code="not_found",
                           extra={"block": block_id})
        return block


# --------------------------------------------------------------------------- groups


class GroupList(PartnerView):
    serializer_class = s.GroupSerializer
    pagination_class = GroupPagination

    def get_queryset(self):
        return groups_for_token(self.request.auth)

    @extend_schema(operation_id="groups_list", summary="Groups this token reaches",
                   responses={200: s.GroupSerializer(many=True), **errors(*READ_ERRORS)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.GroupSerializer(page, many=True).data)


class GroupDetail(PartnerView):
    serializer_class = s.GroupSerializer

    @extend_schema(operation_id="groups_retrieve", summary="A group's public details",
                   responses={200: s.GroupSerializer, **errors(*READ_ERRORS)})
    def get(self, request, slug):
        return Response(s.GroupSerializer(self.group).data)


# --------------------------------------------------------------------------- blocks


class BlockList(PartnerView):
    serializer_class = s.BlockSerializer
    pagination_class = BlockPagination

    def get_queryset(self):
        return RoomBlock.objects.select_related("hotel")

    @extend_schema(operation_id="blocks_list", summary="The group's hotel room blocks",
                   responses={200: s.BlockSerializer(many=True), **errors(*READ_ERRORS)})
    def get(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.BlockSerializer(page, many=True).data)


class BlockDetail(PartnerView):
    serializer_class = s.BlockSerializer

    @extend_schema(operation_id="blocks_retrieve", summary="One block",
                   responses={200: s.BlockSerializer, **errors(*READ_ERRORS)})
    def get(self, request, slug, block_id):
        return Response(s.BlockSerializer(self.block(block_id)).data)


class RoomTypeList(PartnerView):
    serializer_class = s.RoomTypeSerializer

    @extend_schema(operation_id="room_types_list", summary="Room types offered in a block",
                   responses={200: s.RoomTypeSerializer(many=True), **errors(*READ_ERRORS)})
    def get(self, request, slug, block_id):
        options = stay_options(self.block(block_id))
        return Response(s.RoomTypeSerializer(options.room_types, many=True).data)


class Availability(PartnerView):
    serializer_class = s.AvailabilitySerializer

    @extend_schema(
        operation_id="availability_retrieve", summary="Rooms left and rates, night by night",
        description="One row per room type, one cell per bookable night (shoulder nights "
                    "included). Cached for a few seconds: a hold is the only promise.",
        responses={200: s.AvailabilitySerializer, **errors(*READ_ERRORS)})
    def get(self, request, slug, block_id):
        block = self.block(block_id)
        key = f"api:availability:{block.pk}"
        seconds = settings.ANCILE_API_AVAILABILITY_CACHE_SECONDS
        data = _cache_get(key) if seconds else None
        if data is None:
            data = s.availability_data(block, availability_grid(block), self.group.currency)
            if seconds:
                _cache_set(key, data, seconds)
        return Response(data)


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception as error:  # noqa: BLE001 - Redis down: compute it
        logger.warning("availability cache unavailable: %s", error)
        return None


def _cache_set(key, data, seconds):
    try:
        cache.set(key, data, seconds)
    except Exception as error:  # noqa: BLE001
        logger.warning("availability cache unavailable: %s", error)


# --------------------------------------------------------------------------- holds


class HoldList(PartnerView):
    serializer_class = s.HoldSerializer

    @extend_schema(
        operation_id="holds_create", summary="Hold rooms for a few minutes",
        description="The same service and guarantees as the microsite: never more holds "
                    "than rooms, whatever the rush. Confirm it with POST /bookings/ before "
                    "`expires_at`.",
        request=s.HoldCreateSerializer, parameters=[IDEMPOTENCY_KEY],
        responses={201: s.HoldSerializer, **errors(*WRITE_ERRORS)})
    @idempotent
    def post(self, request, slug):
        data = self.valid(s.HoldCreateSerializer, request.data)
        block = self.block(data["block"])
        hold = hold_create(block=block, room_type_id=data["room_type"], check_in=data["check_in"],
                           check_out=data["check_out"], quantity=data["quantity"],
                           currency=self.group.currency, channel="api",
                           idempotency_key=api_hold_key(request.auth,
                                                        request.headers[HEADER].strip()))
        hold = Hold.objects.select_related("room_type").get(pk=hold.pk)
        return Response(s.HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


def _room_type(room_type_id: int) -> RoomType:
    room_type = RoomType.objects.filter(pk=room_type_id).first()
    if room_type is None:
        raise ValidationFailed("This room type is not offered in this block.",
                               code="room_type_not_offered")
    return room_type


def _hold(hold_id) -> Hold:
    hold = (Hold.objects.select_related("room_type", "block__hotel")
            .filter(public_id=hold_id).first())
    if hold is None:
        raise NotFound("This group has no such hold.", code="not_found",
                       extra={"hold": str(hold_id)})
    return hold


class HoldDetail(PartnerView):
    serializer_class = s.HoldSerializer

    @extend_schema(operation_id="holds_retrieve", summary="A hold",
                   responses={200: s.HoldSerializer, **errors(*READ_ERRORS)})
    def get(self, request, slug, hold_id):
        return Response(s.HoldSerializer(_hold(hold_id)).data)

    @extend_schema(operation_id="holds_release", summary="Give the rooms back now",
                   parameters=[IDEMPOTENCY_KEY],
                   responses={200: s.HoldSerializer, **errors(*WRITE_ERRORS)})
    @idempotent
    def delete(self, request, slug, hold_id):
        hold = hold_release(hold=_hold(hold_id))
        return Response(s.HoldSerializer(_hold(hold.public_id)).data)


# --------------------------------------------------------------------------- bookings


class BookingFilters(serializers.Serializer):
    status = serializers.ChoiceField(choices=Booking.Status.choices, required=False)
    check_in_from = serializers.DateField(required=False)
    check_in_to = serializers.DateField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    block = serializers.IntegerField(min_value=1, required=False)


BOOKING_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Booking.Status.values,
                     description="confirmed or cancelled"),
    OpenApiParameter("check_in_from", OpenApiTypes.DATE, description="Check-in on or after"),
    OpenApiParameter("check_in_to", OpenApiTypes.DATE, description="Check-in on or before"),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME,
                     description="Changed at or after (ISO 8601), for syncing"),
    OpenApiParameter("block", OpenApiTypes.INT, description="Only this block"),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Page size, up to 100"),
]


def _booking(reference: str) -> Booking:
    booking = (Booking.objects.select_related(*s.BOOKING_RELATED)
               .filter(reference=reference).first())
    if booking is None:
        raise NotFound("This group has no booking with this reference.", code="not_found",
                       extra={"reference": reference})
    return booking


class BookingList(PartnerView):
    serializer_class = s.BookingSerializer
    pagination_class = Pagination

    def get_queryset(self):
        filters = self.valid(BookingFilters, self.request.query_params)
        bookings = Booking.objects.select_related(*s.BOOKING_RELATED)
        if "status" in filters:
            bookings = bookings.filter(status=filters["status"])
        if "check_in_from" in filters:
            bookings = bookings.filter(check_in__gte=filters["check_in_from"])
        if "check_in_to" in filters:
            bookings = bookings.filter(check_in__lte=filters["check_in_to"])
        if "updated_since" in filters:
            bookings = bookings.filter(updated_at__gte=filters["updated_since"])
        if "block" in filters:
            bookings = bookings.filter(block_id=filters["block"])
        return bookings

    @extend_schema(operation_id="bookings_list", summary="The group's bookings",
                   description="Newest first, in pages (follow `next`).",
                   parameters=BOOKING_FILTERS,
                   responses={200: s.BookingSerializer(many=True), **errors(*READ_ERRORS)})
    def get(self, request, slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.BookingSerializer(page, many=True).data)

    @extend_schema(operation_id="bookings_create", summary="Confirm a hold with guest details",
                   description="Confirming the same hold twice returns the same booking. "
                               "On blocks paid online (prepay, deposit) the answer is 402 "
                               "payment_required with the guest's `checkout_url`.",
                   request=s.BookingCreateSerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={201: s.BookingSerializer, **errors(402, *WRITE_ERRORS)})
    @idempotent
    def post(self, request, slug):
        data = self.valid(s.BookingCreateSerializer, request.data)
        hold, guest = _hold(data["hold"]), GuestDetails(**data["guest"])
        if hold.status != Hold.Status.CONFIRMED and payment_plan(hold) is not None:
            # Prepay / deposit blocks: the guest pays on Stripe Checkout, and the payment
            # (apps.payments) confirms the booking; the partner hears booking.confirmed.
            payment = _checkout(hold, guest, self.group)
            raise PaymentRequired(
                "The guest pays online for rooms in this block: send them to checkout_url. "
                "The booking is confirmed once they have paid (booking.confirmed webhook; "
                "or read the hold).", code="payment_required",
                extra={"checkout_url": payment.checkout_url, "kind": payment.kind,
                       "amount": s.money(payment.amount_minor, payment.currency),
                       "hold": str(hold.public_id)})
        booking = booking_confirm(hold=hold, guest=guest)
        return Response(s.BookingSerializer(_booking(booking.reference)).data,
                        status=status.HTTP_201_CREATED)


def _checkout(hold: Hold, guest: GuestDetails, group):
    """Start the guest's Checkout; its return pages live on the group's own host."""
    previous = get_urlconf()
    set_urlconf(settings.ROOT_URLCONF)
    try:
        return checkout_start(hold=hold, guest=guest, site_url=group_site_url(group, ""))
    finally:
        set_urlconf(previous)


class BookingDetail(PartnerView):
    serializer_class = s.BookingSerializer

    @extend_schema(operation_id="bookings_retrieve", summary="A booking, with its risk score",
                   responses={200: s.BookingSerializer, **errors(*READ_ERRORS)})
    def get(self, request, slug, reference):
        return Response(s.BookingSerializer(_booking(reference)).data)

    @extend_schema(operation_id="bookings_modify",
                   summary="Change dates, room type or rooms",
                   description="All or nothing: the old rooms are given up only if the new "
                               "ones are secured. Omitted fields stay as they are.",
                   request=s.BookingModifySerializer, parameters=[IDEMPOTENCY_KEY],
                   responses={200: s.BookingSerializer, **errors(*WRITE_ERRORS)})
    @idempotent
    def patch(self, request, slug, reference):
        data = self.valid(s.BookingModifySerializer, request.data)
        booking = _booking(reference)
        room_type = (_room_type(data["room_type"]) if "room_type" in data
                     else booking.room_type)
        booking_modify(booking=booking, room_type=room_type,
                       check_in=data.get("check_in", booking.check_in),
                       check_out=data.get("check_out", booking.check_out),
                       quantity=data.get("quantity", booking.quantity), by="partner")
        return Response(s.BookingSerializer(_booking(reference)).data)


class BookingCancellation(PartnerView):
    serializer_class = s.BookingSerializer

    @extend_schema(operation_id="bookings_cancel", summary="Cancel a booking",
                   description="The rooms go back to the block at once. Cancelling twice "
                               "returns the cancelled booking.",
                   request=None, parameters=[IDEMPOTENCY_KEY],
                   responses={200: s.BookingSerializer, **errors(*WRITE_ERRORS)})
    @idempotent
    def post(self, request, slug, reference):
        booking_cancel(booking=_booking(reference), by="partner")
        return Response(s.BookingSerializer(_booking(reference)).data)


@csrf_exempt  # token-authenticated API: no cookies, no CSRF
def not_found(request, *args, **kwargs):
    """Anything else under /api/: the same error shape as everywhere in the API."""
    return JsonResponse({"code": "not_found", "message": "No such API endpoint.",
                         "extra": {"path": request.path}}, status=404)


