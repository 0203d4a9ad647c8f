"""Writes for holds and bookings. Each service owns its transaction and its locks."""

from .bookings import GuestDetails, booking_cancel, booking_confirm, booking_modify
from .holds import hold_create, hold_release, holds_expire

__all__ = ["GuestDetails", "booking_cancel", "booking_confirm", "booking_modify",
           "hold_create", "hold_release", "holds_expire"]
