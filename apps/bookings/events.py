"""Booking events for the world outside the group: booking.confirmed, booking.modified,
booking.cancelled, hold.expired.

Services call `emit(event_type, payload)` inside their transaction, and subscribers (the
partner webhooks, apps.partners) are told at once, inside it: what they record (the
deliveries to send) commits with the change or rolls back with it, so an event is never
lost between a commit and a crash, nor recorded for a change that did not happen. A
subscriber therefore only writes rows; whatever leaves the building is done later from
them (`deliver_webhooks`). The payload carries ids only; subscribers read what they need.
A failing subscriber is logged, its savepoint rolled back, and never breaks the booking
that emitted the event.
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
    """Tell the subscribers now, inside the current transaction (an outbox)."""
    group = connection.tenant
    for subscriber in list(_subscribers):
        try:
            with transaction.atomic():  # a savepoint: a failure undoes only its own rows
                subscriber(group=group, event_type=event_type, payload=payload)
        except Exception:  # noqa: BLE001 - an event must never break the booking
            logger.exception("event %s for %s: subscriber %r failed", event_type,
                             getattr(group, "slug", "?"), subscriber)
