"""Booking events for the world outside the group: booking.confirmed, booking.modified,
booking.cancelled, hold.expired.

Services call `emit(event_type, payload)` inside their transaction; subscribers (the
partner webhooks, apps.partners) hear about it only after the transaction commits, and
never if it rolls back. The payload carries ids only; subscribers read what they need.
A failing subscriber is logged and never breaks the booking that emitted the event.
"""

import logging
from collections.abc import Callable

from django.db import connection, transaction

logger = logging.getLogger(__name__)

BOOKING_CONFIRMED = "booking.confirmed"
BOOKING_MODIFIED = "booking.modified"
BOOKING_CANCELLED = "booking.cancelled"
HOLD_EXPIRED = "hold.expired"
EVENT_TYPES = [BOOKING_CONFIRMED, BOOKING_MODIFIED, BOOKING_CANCELLED, HOLD_EXPIRED]

Subscriber = Callable[..., None]  # (*, group, event_type, payload)
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def emit(event_type: str, payload: dict) -> None:
    """Tell the subscribers after the current transaction commits (now, outside one)."""
    group = connection.tenant
    transaction.on_commit(lambda: _deliver(group, event_type, payload))


def _deliver(group, event_type: str, payload: dict) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(group=group, event_type=event_type, payload=payload)
        except Exception:  # noqa: BLE001 - an event must never break the booking
            logger.exception("event %s for %s: subscriber %r failed", event_type,
                             getattr(group, "slug", "?"), subscriber)
