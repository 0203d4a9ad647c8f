"""The guest's booking flow on the group's microsite. Works without JavaScript.

block page (nights and rooms) -> hold (countdown, guest details) -> booking (reference,
private manage link: view, change, cancel). Every error is a message the guest can act
on; submitting a form twice is harmless (request keys, idempotent services).
"""

import uuid
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError
from apps.hotels.models import RoomType
from apps.inventory.models import RoomBlock
from apps.payments.selectors import payment_plan
from apps.payments.services import checkout_start

from .forms import ChangeForm, GuestForm, StayForm
from .models import Booking, Hold
from .selectors import availability_grid, block_with_hotel, stay_options
from .services import (GuestDetails, booking_cancel, booking_confirm, booking_modify,
                       hold_create, hold_release)
from .services.bookings import (booking_unchanged, free_cancellation_over,
                                free_cancellation_until)
from .services.stay import BOOKABLE


def _bookable_block(block_id: int) -> RoomBlock:
    block = block_with_hotel(block_id)
    if block is None or block.status not in BOOKABLE:
        raise Http404("This hotel is no longer offered for this event.")
    return block


def block_detail(request, block_id: int):
    if not request.tenant.is_live:  # the planner has not opened (or has closed) the site
        return render(request, "microsite/not_open.html", status=503)
    block = _bookable_block(block_id)
    if request.method == "POST":
        # The service checks the room type and nights against the block's night rows;
        # the form lists the choices only if it is shown again.
        form = StayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                hold = hold_create(
                    block=block, room_type_id=data["room_type"],
                    check_in=data["check_in"], check_out=data["check_out"],
                    quantity=data["quantity"], currency=request.tenant.currency,
                    idempotency_key=f"microsite:{data['request_key']}")
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return redirect("hold-detail", public_id=hold.public_id)
        grid = availability_grid(block)
        form.offer(grid)
    else:
        grid = availability_grid(block)
        form = StayForm(options=grid, initial={
            "request_key": uuid.uuid4().hex, "check_in": block.arrival.isoformat(),
            "check_out": block.departure.isoformat(),
            "room_type": grid.rows[0].room_type.pk if grid.rows else None})
    return render(request, "microsite/block.html", {"room_block": block, "grid": grid,
                                                    "form": form})


def hold_detail(request, public_id):
    hold = get_object_or_404(Hold.objects.select_related("block__hotel", "room_type"),
                             public_id=public_id)
    if hold.status == Hold.Status.CONFIRMED:
        return redirect("booking-manage", token=hold.booking.manage_token)
    form = GuestForm(request.POST or None)
    plan = payment_plan(hold)
    if request.method == "POST" and form.is_valid():
        try:
            if plan is not None:  # prepay / deposit: off to Stripe Checkout and back
                payment = checkout_start(hold=hold, guest=GuestDetails(**form.cleaned_data),
                                         site_url=f"{request.scheme}://{request.get_host()}")
                return redirect(payment.checkout_url)
            booking = booking_confirm(hold=hold, guest=GuestDetails(**form.cleaned_data))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Your room is booked. We have e-mailed you the details.")
            return redirect("booking-manage", token=booking.manage_token)
    seconds_left = max(0, int((hold.expires_at - timezone.now()).total_seconds()))
    hotel_zone = ZoneInfo(hold.block.hotel.timezone)
    return render(request, "microsite/hold.html", {
        "hold": hold, "form": form, "seconds_left": seconds_left,
        "expires_local": timezone.localtime(hold.expires_at, hotel_zone),
        "released": hold.status in {Hold.Status.RELEASED, Hold.Status.EXPIRED},
        "plan": plan})


@require_POST
def hold_start_over(request, public_id):
    hold = hold_release(hold=get_object_or_404(Hold, public_id=public_id))
    if hold.status == Hold.Status.CONFIRMED:  # a page from before the booking, resubmitted
        messages.info(request, "These rooms are already booked for you.")
        return redirect("booking-manage", token=hold.booking.manage_token)
    messages.info(request, "We gave those rooms back. Choose again whenever you are ready.")
    return redirect("block-detail", block_id=hold.block_id)


def _booking(token: str) -> Booking:
    return get_object_or_404(Booking.objects.select_related("block__hotel", "room_type"),
                             manage_token=token)


def booking_manage(request, token: str):
    booking = _booking(token)
    grid = availability_grid(booking.block)
    form = ChangeForm(options=grid, initial={
        "room_type": booking.room_type_id, "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(), "quantity": booking.quantity})
    return render(request, "microsite/manage.html", {
        "booking": booking, "form": form, "grid": grid,
        "free_cancellation_until": free_cancellation_until(booking),
        "can_cancel": not free_cancellation_over(booking)})


@require_POST
def booking_change(request, token: str):
    booking = _booking(token)
    form = ChangeForm(request.POST, options=stay_options(booking.block))
    if not form.is_valid():
        messages.error(request, "Please choose a room type, dates and number of rooms.")
        return redirect("booking-manage", token=token)
    data = form.cleaned_data
    if booking_unchanged(booking, room_type_id=data["room_type"], check_in=data["check_in"],
                         check_out=data["check_out"], quantity=data["quantity"]):
        messages.info(request, "Nothing to change: your booking is as it was.")
        return redirect("booking-manage", token=token)
    try:
        booking_modify(booking=booking, check_in=data["check_in"], check_out=data["check_out"],
                       room_type=get_object_or_404(RoomType, pk=data["room_type"]),
                       quantity=data["quantity"])
    except ApplicationError as error:
        messages.error(request, f"{error.message} Your booking is unchanged.")
    else:
        messages.success(request, "Your booking is changed. We have e-mailed you the details.")
    return redirect("booking-manage", token=token)


@require_POST
def booking_cancel_view(request, token: str):
    booking = _booking(token)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm you want to cancel.")
        return redirect("booking-manage", token=token)
    try:
        booking_cancel(booking=booking, by="guest")
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your booking is cancelled and the rooms are released.")
    return redirect("booking-manage", token=token)
