"""The block's custom back-office pages: each validates a form and calls one service."""

import csv
import re
from collections.abc import Callable
from itertools import chain

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.core.exceptions import ApplicationError
from apps.groups.admin_site import current_group

from . import forms
from .models import RoomBlock
from .selectors import group_pickup, rooming_list
from .services import (Actor, block_night_copy, block_nights_set, block_release,
                       block_room_type_copy, block_shoulder_nights_add)


def group_currency() -> str:
    group = current_group()
    return group.currency if group else "EUR"


def _block_or_404(model_admin, request, object_id) -> RoomBlock:
    block = model_admin.get_object(request, object_id)
    if block is None:
        raise Http404("No such block.")
    return block


def _block_form_page(model_admin, request, object_id, *, form_class, title: str,
                     perform: Callable[[RoomBlock, dict, Actor], str]):
    """GET shows the form, POST runs `perform` (one service call) and goes back to the block.

    Only planners who may edit the group get here at all; viewers get a 403.
    """
    block = _block_or_404(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, block):
        raise PermissionDenied
    form = form_class(request.POST or None, block=block, currency=group_currency())
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(block, form.cleaned_data, Actor.of(request.user))
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(request, message, messages.SUCCESS)
            return redirect(reverse(f"{model_admin.admin_site.name}:inventory_roomblock_change",
                                    args=[block.pk]))
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.opts,
               "original": block, "title": title, "form": form,
               "currency": group_currency()}
    return TemplateResponse(request, "admin/inventory/roomblock/block_form.html", context,
                            status=422 if form.is_bound and form.errors else 200)


def nights_set(model_admin, request, object_id):
    def perform(block, data, actor):
        rows = block_nights_set(block=block, room_type=data["room_type"],
                                first_night=data["first_night"], last_night=data["last_night"],
                                allotment=data["allotment"],
                                net_rate_minor=data["net_rate_minor"],
                                sell_rate_minor=data["sell_rate_minor"], actor=actor)
        return f"Set {len(rows)} night(s) of {data['room_type'].name}."

    return _block_form_page(model_admin, request, object_id, form_class=forms.NightsSetForm,
                            title="Set allotment and rates for a date range", perform=perform)


def room_type_copy(model_admin, request, object_id):
    def perform(block, data, actor):
        rows = block_room_type_copy(block=block, source=data["source"],
                                    targets=list(data["targets"]),
                                    allotment=data["copy_allotment"], rates=data["copy_rates"],
                                    actor=actor)
        return f"Copied {data['source'].name} onto {len(rows)} night row(s)."

    return _block_form_page(model_admin, request, object_id, form_class=forms.RoomTypeCopyForm,
                            title="Copy one room type onto others", perform=perform)


def night_copy(model_admin, request, object_id):
    def perform(block, data, actor):
        rows = block_night_copy(block=block, source_night=data["source_night"],
                                first_night=data["first_night"], last_night=data["last_night"],
                                allotment=data["copy_allotment"], rates=data["copy_rates"],
                                actor=actor)
        return f"Copied {data['source_night']} onto {len(rows)} night row(s)."

    return _block_form_page(model_admin, request, object_id, form_class=forms.NightCopyForm,
                            title="Copy one night onto other nights", perform=perform)


def shoulder_nights(model_admin, request, object_id):
    def perform(block, data, actor):
        rows = block_shoulder_nights_add(block=block, nights_before=data["nights_before"],
                                         nights_after=data["nights_after"],
                                         allotment=data["allotment"], actor=actor)
        return f"Added shoulder nights ({len(rows)} night row(s))."

    return _block_form_page(model_admin, request, object_id,
                            form_class=forms.ShoulderNightsForm, title="Add shoulder nights",
                            perform=perform)


def release(model_admin, request, object_id):
    def perform(block, data, actor):
        rows = block_release(block=block, first_night=data["first_night"],
                             last_night=data["last_night"], rooms=data["rooms"],
                             mode=data["mode"], room_type=data["room_type"], actor=actor)
        return f"Released rooms on {len(rows)} night row(s) back to {block.hotel.name}."

    return _block_form_page(model_admin, request, object_id, form_class=forms.ReleaseForm,
                            title="Release rooms back to the hotel", perform=perform)


# --- Rooming list ----------------------------------------------------------------------

ROOMING_LIST_HEADER = ["Confirmation number", "Last name", "First name", "Arrival",
                       "Departure", "Nights", "Room type", "Rooms", "Sharers",
                       "Special requests", "Email", "Phone", "Status"]
PHONE = re.compile(r"^\+?[0-9 ()./-]+$")


def _cell(value: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula: quote it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value):
        return value


def rooming_list_rows(block: RoomBlock):
    yield ROOMING_LIST_HEADER
    for booking in rooming_list(block=block).iterator():
        phone = booking.guest_phone
        yield [booking.reference, _cell(booking.guest_last_name),
               _cell(booking.guest_first_name), booking.check_in.isoformat(),
               booking.check_out.isoformat(), booking.nights, booking.room_type.name,
               booking.quantity, _cell(booking.sharers), _cell(booking.special_requests),
               _cell(booking.guest_email), phone if PHONE.match(phone or "x") else _cell(phone),
               booking.get_status_display()]


def rooming_list_csv(model_admin, request, object_id):
    block = _block_or_404(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, block):
        raise PermissionDenied
    writer = csv.writer(_Echo())
    group = current_group()
    filename = (f"rooming-list-{group.slug}-{slugify(block.name) or block.pk}-"
                f"{timezone.localdate():%Y%m%d}.csv")
    # The byte order mark first: without it Excel reads the file as Windows-1252 and
    # shows "João" as "JoÃ£o".
    lines = chain(["\ufeff"], (writer.writerow(row) for row in rooming_list_rows(block)))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Pickup over all blocks -----------------------------------------------------------

def pickup(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.opts,
               "title": "Pickup", "pickups": group_pickup()}
    return TemplateResponse(request, "admin/inventory/roomblock/pickup.html", context)
