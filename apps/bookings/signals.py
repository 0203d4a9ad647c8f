"""Signals other apps hook into, sent inside the booking's transaction (under its locks),
so what they write commits or rolls back with it."""

from django.dispatch import Signal

# booking_cancelled.send(sender=Booking, booking=booking, by="guest" | "planner" | ...)
booking_cancelled = Signal()
