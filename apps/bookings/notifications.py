"""E-mails to guests. Called only after the booking's transaction has committed."""

from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from apps.groups.selectors import group_site_url

from .models import Booking


def _context(booking: Booking) -> dict:
    group = connection.tenant
    return {"booking": booking, "group": group, "hotel": booking.block.hotel,
            "manage_url": group_site_url(group, f"/manage/{booking.manage_token}/"),
            "site_url": group_site_url(group, "/")}


def booking_confirmed_notify(*, booking_id: int, modified: bool = False) -> None:
    booking = Booking.objects.select_related("block__hotel", "room_type").get(pk=booking_id)
    context = {**_context(booking), "modified": modified}
    subject = (f"{'Changed' if modified else 'Confirmed'}: your room for "
               f"{context['group'].name} ({booking.reference})")
    send_mail(subject, render_to_string("emails/booking_confirmed.txt", context), None,
              [booking.guest_email],
              html_message=render_to_string("emails/booking_confirmed.html", context))


def booking_cancelled_notify(*, booking_id: int) -> None:
    booking = Booking.objects.select_related("block__hotel", "room_type").get(pk=booking_id)
    context = _context(booking)
    send_mail(f"Cancelled: your room for {context['group'].name} ({booking.reference})",
              render_to_string("emails/booking_cancelled.txt", context), None,
              [booking.guest_email])
