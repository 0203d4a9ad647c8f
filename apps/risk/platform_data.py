"""The platform's own bookings, across every group's schema, as an APT-1 training set.

A booking is labelled once its stay is over (checked out by today): cancelled or not.
Stays still ahead are left out, cancelled ones too: taking those alone would fill the
latest months, which validate and calibrate the model, with cancellations.

A guest's history is what was known when the booking was made: cancellations made before
it, and stays checked out before it. Outcomes that came later (a room booked alongside it
and cancelled with it) are not the model's to see, at training as at serving time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, tenant_context
from tqdm import tqdm

from apps.bookings.models import Booking
from apps.groups.models import Group
from apps.hotels.models import SupplierRate
from ml.dataset import Dataset

from .features import mean_sell_rate, stay_record


def groups():
    """Every real group (not the public schema, not the template)."""
    from django.conf import settings

    return (Group.objects.exclude(schema_name=get_public_schema_name())
            .exclude(schema_name=getattr(settings, "TENANT_BASE_SCHEMA", ""))
            .order_by("pk"))


def _cancelled_before(other: Booking, booking: Booking) -> bool:
    return (other.status == Booking.Status.CANCELLED and other.cancelled_at is not None
            and other.cancelled_at < booking.created_at)


def _stayed_before(other: Booking, booking: Booking) -> bool:
    return (other.status == Booking.Status.CONFIRMED
            and (other.created_at, other.pk) < (booking.created_at, booking.pk)
            and other.check_out <= timezone.localdate(booking.created_at))


def guest_history(bookings) -> dict:
    """Per booking id: the same guest's (e-mail) cancellations and stays before it was made."""
    by_guest = defaultdict(list)
    for booking in bookings:
        by_guest[booking.guest_email.lower()].append(booking)
    return {booking.pk: (sum(_cancelled_before(other, booking) for other in same
                             if other.pk != booking.pk),
                         sum(_stayed_before(other, booking) for other in same
                             if other.pk != booking.pk))
            for same in by_guest.values() for booking in same}


def guest_history_before(booking: Booking) -> tuple[int, int]:
    """guest_history for one booking, in one query: what serving asks at re-score time."""
    booked_earlier = (Q(created_at__lt=booking.created_at)
                      | Q(created_at=booking.created_at, pk__lt=booking.pk))
    stayed = booked_earlier & Q(status=Booking.Status.CONFIRMED,
                                check_out__lte=timezone.localdate(booking.created_at))
    cancelled = Q(status=Booking.Status.CANCELLED, cancelled_at__lt=booking.created_at)
    earlier = (Booking.objects.filter(guest_email__iexact=booking.guest_email)
               .exclude(pk=booking.pk)
               .aggregate(cancelled=Count("pk", filter=cancelled),
                          stayed=Count("pk", filter=stayed)))
    return earlier["cancelled"], earlier["stayed"]


class PublicRates:
    """The supplier's public rates for a set of bookings, fetched in one query."""

    def __init__(self, bookings):
        bookings = list(bookings)
        self.rates: dict[tuple[int, date], int] = {}
        if bookings:
            rows = SupplierRate.objects.filter(
                room_type_id__in={b.room_type_id for b in bookings},
                night__gte=min(b.check_in for b in bookings),
                night__lt=max(b.check_out for b in bookings))
            self.rates = {(r.room_type_id, r.night): r.rate_minor for r in rows}

    def mean(self, room_type_id: int, check_in: date, check_out: date) -> float | None:
        found = [self.rates[(room_type_id, date.fromordinal(day))]
                 for day in range(check_in.toordinal(), check_out.toordinal())
                 if (room_type_id, date.fromordinal(day)) in self.rates]
        return sum(found) / len(found) if found else None


def booking_record(booking: Booking, event_kind: str, history: tuple[int, int],
                   public: float | None = None) -> dict:
    sharers = [name for name in booking.sharers.replace(";", ",").split(",") if name.strip()]
    return stay_record(
        block=booking.block, event_kind=event_kind, check_in=booking.check_in,
        check_out=booking.check_out, quantity=booking.quantity, channel=booking.channel,
        booked_on=timezone.localdate(booking.created_at),
        sell_rate=mean_sell_rate(booking.nightly_rates),
        public_rate=public,
        guest={"adults": 1 + len(sharers),
               "special_requests": int(bool(booking.special_requests.strip())),
               "previous_cancellations": history[0], "previous_stays": history[1]})


def load(*, today: date | None = None, progress: bool = False) -> Dataset:
    today = today or timezone.localdate()
    records, labels, arrivals, segments = [], [], [], []
    for group in tqdm(list(groups()), desc="groups", unit="group", disable=not progress):
        with tenant_context(group):
            bookings = list(Booking.objects.select_related("block"))
            history = guest_history(bookings)
            rates = PublicRates(bookings)
            for booking in bookings:
                if booking.check_out > today:  # the stay is not over: outcome not yet known
                    continue
                records.append(booking_record(
                    booking, group.kind, history[booking.pk],
                    rates.mean(booking.room_type_id, booking.check_in, booking.check_out)))
                labels.append(int(booking.status == Booking.Status.CANCELLED))
                arrivals.append(booking.check_in.toordinal())
                segments.append(group.kind)
    kinds = Counter(segments)
    return Dataset(source="platform", records=records,
                   cancelled=np.array(labels, dtype=np.int8),
                   arrival=np.array(arrivals, dtype=np.int64), segment=segments,
                   notes=[f"platform: {len(records)} labelled bookings "
                          f"({', '.join(f'{k} {v}' for k, v in kinds.most_common())})"])
