"""The platform's own bookings, across every group's schema, as an APT-1 training set.

A booking is labelled once its outcome is known: cancelled, or confirmed and checked out.
Bookings still ahead are left out (they are what the model is for).
"""

from __future__ import annotations

from collections import Counter
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


def guest_history(bookings) -> dict:
    """Per booking id: the same guest's (e-mail) earlier cancellations and stays."""
    history, seen = {}, {}
    for booking in sorted(bookings, key=lambda b: (b.created_at, b.pk)):
        email = booking.guest_email.lower()
        cancelled, stayed = seen.get(email, (0, 0))
        history[booking.pk] = (cancelled, stayed)
        seen[email] = (cancelled + (booking.status == Booking.Status.CANCELLED),
                       stayed + (booking.status == Booking.Status.CONFIRMED))
    return history


def guest_history_before(booking: Booking) -> tuple[int, int]:
    """guest_history for one booking, in one query: what serving asks at re-score time."""
    earlier = Booking.objects.filter(
        Q(created_at__lt=booking.created_at)
        | Q(created_at=booking.created_at, pk__lt=booking.pk),
        guest_email__iexact=booking.guest_email).aggregate(
        cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
        stayed=Count("pk", filter=Q(status=Booking.Status.CONFIRMED)))
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
                done = booking.status == Booking.Status.CANCELLED or booking.check_out <= today
                if not done:
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
