"""Writes to the hotel catalogue: syncing hotels, room types and nightly rates from a supplier.

`catalogue_sync` walks the supplier's hotels and yields one HotelOutcome per hotel;
`hotel_sync` writes one hotel in its own transaction, so a hotel is either fully synced
or not touched. The supplier is always asked before the transaction opens: no row lock
is ever held across a network call. Only supplier fields are written: taxes and fees
entered by hand, and every group's block terms, are left alone, and so is an optional
field (time zone, photo, ...) the supplier sends nothing for. With dry_run nothing is
written and the outcome says what would change.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from .models import Hotel, RoomType, SupplierRate
from .suppliers.base import (HotelRecord, InvalidRecord, NightlyRateRecord, RecordInvalid,
                             Supplier, SupplierAuthFailed, SupplierError)

HOTEL_FIELDS = ("name", "address", "city", "country", "timezone", "currency", "star_rating",
                "description", "photo_url")
# Left as they are when the supplier sends nothing for them: a time zone or photo entered
# by hand is not wiped by a feed that lacks it.
OPTIONAL_HOTEL_FIELDS = {"address", "timezone", "star_rating", "description", "photo_url"}
ROOM_TYPE_FIELDS = ("name", "bed_type", "max_occupancy", "is_suite", "description")
RATE_FIELDS = ("currency", "rate_minor", "available")
CREATED, UPDATED, UNCHANGED, FAILED = "created", "updated", "unchanged", "failed"


@dataclass
class HotelOutcome:
    code: str
    name: str
    status: str
    changes: list[str] = field(default_factory=list)  # what changed on an existing hotel
    counts: Counter = field(default_factory=Counter)  # e.g. {"rates created": 90}
    problem: str = ""


@dataclass
class SyncReport:
    hotels: Counter = field(default_factory=Counter)
    records: Counter = field(default_factory=Counter)

    def add(self, outcome: HotelOutcome) -> None:
        self.hotels[outcome.status] += 1
        self.records.update(outcome.counts)


def catalogue_sync(*, supplier: Supplier, hotel_codes: Sequence[str] = (),
                   since: date | None = None, first_night: date, nights: int,
                   dry_run: bool = False) -> Iterator[HotelOutcome]:
    """Sync every hotel the supplier lists (or only `hotel_codes`, or only those changed
    since `since`) with its rates for `nights` nights from `first_night`.

    A bad record or a failed call for one hotel yields a failed outcome and the sync goes
    on; failing to sign in or to list the hotels raises SupplierError.
    """
    last_night = first_night + timedelta(days=nights - 1)
    for record in supplier.hotels(codes=hotel_codes, since=since):
        if isinstance(record, InvalidRecord):
            yield HotelOutcome(record.code, record.name, FAILED, problem=record.problem)
            continue
        try:
            rates = supplier.rates(hotel_code=record.code, first_night=first_night,
                                   last_night=last_night)
            yield hotel_sync(supplier=supplier.name, record=record, rates=rates,
                             first_night=first_night, last_night=last_night, dry_run=dry_run)
        except SupplierAuthFailed:
            raise
        except SupplierError as exc:
            yield HotelOutcome(record.code, record.name, FAILED, problem=exc.message)
        except ValidationError as exc:
            yield HotelOutcome(record.code, record.name, FAILED, problem=_messages(exc))
        except (IntegrityError, DataError) as exc:
            yield HotelOutcome(record.code, record.name, FAILED,
                               problem=f"database refused it: {str(exc).splitlines()[0]}")


def hotel_sync(*, supplier: str, record: HotelRecord, rates: Sequence[NightlyRateRecord],
               first_night: date, last_night: date, dry_run: bool = False) -> HotelOutcome:
    """Create or update one hotel, its room types and its rates from first to last night."""
    _rates_check(record, rates, first_night, last_night)
    with transaction.atomic():
        hotel = (Hotel.objects.select_for_update()
                 .filter(supplier=supplier, supplier_code=record.code).first())
        outcome = HotelOutcome(record.code, record.name, CREATED if hotel is None else UNCHANGED)
        hotel = hotel or Hotel(supplier=supplier, supplier_code=record.code)
        changed = _assign(hotel, record, HOTEL_FIELDS, keep_if_blank=OPTIONAL_HOTEL_FIELDS)
        if hotel.pk is None or changed:
            hotel.full_clean(validate_unique=False, validate_constraints=False)
            if hotel.pk:
                outcome.changes.append(f"hotel: {', '.join(changed)}")
            if not dry_run:
                hotel.save()
        room_types = _room_types_sync(hotel, record, outcome, dry_run=dry_run)
        _rates_sync(hotel, room_types, rates, first_night, last_night, outcome, dry_run=dry_run)
    if outcome.status == UNCHANGED and outcome.changes:
        outcome.status = UPDATED
    return outcome


def _room_types_sync(hotel: Hotel, record: HotelRecord, outcome: HotelOutcome, *,
                     dry_run: bool) -> dict[str, RoomType]:
    room_types = {rt.code: rt for rt in hotel.room_types.all()} if hotel.pk else {}
    for room in record.room_types:
        room_type = room_types.get(room.code) or RoomType(hotel=hotel, code=room.code)
        changed = _assign(room_type, room, ROOM_TYPE_FIELDS)
        if room_type.pk is None or changed:
            room_type.full_clean(exclude=["hotel"], validate_unique=False,
                                 validate_constraints=False)
            if room_type.pk:
                outcome.changes.append(f"room type {room.code}: {', '.join(changed)}")
            elif hotel.pk:
                outcome.changes.append(f"room type {room.code}: new")
            outcome.counts["room types " + (UPDATED if room_type.pk else CREATED)] += 1
            if not dry_run:
                room_type.hotel = hotel
                room_type.save()
        room_types[room.code] = room_type
    return room_types


def _rates_sync(hotel: Hotel, room_types: dict[str, RoomType],
                rates: Sequence[NightlyRateRecord], first_night: date, last_night: date,
                outcome: HotelOutcome, *, dry_run: bool) -> None:
    existing = {}
    if hotel.pk:
        existing = {(rate.room_type.code, rate.night): rate for rate in SupplierRate.objects
                    .filter(room_type__hotel=hotel, night__range=(first_night, last_night))
                    .select_related("room_type").select_for_update(of=("self",))}
    now = timezone.now()
    to_create, to_update = [], []
    for rate in rates:
        current = existing.pop((rate.room_type_code, rate.night), None)
        if current is None:
            to_create.append(SupplierRate(
                room_type=room_types[rate.room_type_code], night=rate.night, fetched_at=now,
                currency=rate.currency, rate_minor=rate.rate_minor, available=rate.available))
            if hotel.pk:
                outcome.changes.append(f"rate {rate.room_type_code} {rate.night}: new, "
                                       f"{rate.rate_minor} {rate.currency}, "
                                       f"{rate.available} rooms")
            continue
        before = _rate_text(current)
        if _assign(current, rate, RATE_FIELDS):
            current.fetched_at = now
            to_update.append(current)
            outcome.changes.append(f"rate {rate.room_type_code} {rate.night}: "
                                   f"{before} -> {_rate_text(current)}")
    for stale in existing.values():
        if stale.available:  # the supplier no longer offers this night
            before = _rate_text(stale)
            stale.available, stale.fetched_at = 0, now
            to_update.append(stale)
            outcome.changes.append(f"rate {stale.room_type.code} {stale.night}: {before} -> "
                                   f"no longer offered")
    outcome.counts.update({"rates created": len(to_create), "rates updated": len(to_update)})
    outcome.counts += Counter()  # drop the zeros
    if not dry_run:
        SupplierRate.objects.bulk_create(to_create)
        SupplierRate.objects.bulk_update(to_update, [*RATE_FIELDS, "fetched_at"])


def _rates_check(record: HotelRecord, rates: Sequence[NightlyRateRecord], first_night: date,
                 last_night: date) -> None:
    codes = {room.code for room in record.room_types}
    seen = set()
    for rate in rates:
        where = f"rate {rate.room_type_code} {rate.night}"
        if rate.room_type_code not in codes:
            raise RecordInvalid(f"{where}: no such room type in the hotel record")
        if not first_night <= rate.night <= last_night:
            raise RecordInvalid(f"{where}: night outside {first_night} to {last_night}")
        if (rate.room_type_code, rate.night) in seen:
            raise RecordInvalid(f"{where}: given twice")
        if not 0 <= rate.rate_minor < 2**31 or not 0 <= rate.available < 2**15:
            raise RecordInvalid(f"{where}: amount or rooms out of range")
        seen.add((rate.room_type_code, rate.night))


def _assign(obj, record, fields: Sequence[str], keep_if_blank=frozenset()) -> list[str]:
    """Copy `fields` from the record onto the model object; return the names that changed.
    Fields in `keep_if_blank` are not copied when the record has nothing for them."""
    changed = []
    for name in fields:
        value = getattr(record, name)
        if name in keep_if_blank and value in ("", None):
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _rate_text(rate: SupplierRate) -> str:
    return f"{rate.rate_minor} {rate.currency}, {rate.available} rooms"


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}"
                         for name, messages in error.message_dict.items())
    return " ".join(error.messages)
