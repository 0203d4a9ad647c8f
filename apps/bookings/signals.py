"""Signals other apps hook into, sent inside the booking's transaction (under its locks),
so what they write commits or rolls back with it."""

from django.dispatch import Signal

# booking_cancelled.send(sender=Booking, booking=booking, by="guest" | "planner" | ...)
booking_cancelled = Signal()

# booking_modifying.send(sender=Booking, booking=booking, new_total_minor=...) before a
# change is saved; a receiver may refuse it by raising an ApplicationError.
booking_modifying = Signal()
