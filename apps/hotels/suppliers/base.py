"""What every hotel supplier client gives the catalogue sync, whoever the supplier is.

A client turns its supplier's wire format into these records; the sync
(apps.hotels.services) only ever sees the records. Money is already in integer minor
units here: each client parses its supplier's amounts with Decimal and rounds explicitly.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from apps.core.exceptions import ApplicationError


@dataclass(frozen=True)
class RoomTypeRecord:
    code: str
    name: str
    bed_type: str  # one of apps.hotels.models.RoomType.Bed
    max_occupancy: int
    is_suite: bool = False
    description: str = ""


@dataclass(frozen=True)
class HotelRecord:
    code: str
    name: str
    city: str
    country: str
    currency: str
    address: str = ""
    timezone: str = ""  # not sent: the hotel keeps the one it has
    star_rating: int | None = None
    description: str = ""
    photo_url: str = ""
    room_types: tuple[RoomTypeRecord, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class NightlyRateRecord:
    room_type_code: str
    night: date
    currency: str
    rate_minor: int
    available: int


@dataclass(frozen=True)
class InvalidRecord:
    """A hotel record the client could not read; the sync reports it and goes on."""

    code: str
    name: str
    problem: str


class Supplier(Protocol):
    name: str  # stored in Hotel.supplier
    label: str  # says where the records come from, for people

    def hotels(self, *, codes: Sequence[str] = (),
               since: date | None = None) -> Iterator[HotelRecord | InvalidRecord]:
        """Every hotel (or only `codes`, or only those changed since `since`), page by page."""

    def rates(self, *, hotel_code: str, first_night: date,
              last_night: date) -> list[NightlyRateRecord]:
        """Price and rooms left per room type and night, `first_night` to `last_night`."""


class SupplierError(ApplicationError):
    status = 502

    def __init__(self, message: str, *, code: str = "supplier_error", extra=None):
        super().__init__(message, code=code, extra=extra)


class SupplierUnavailable(SupplierError):
    """The supplier did not answer usefully, even after retrying."""

    status = 503

    def __init__(self, message: str, *, code: str = "supplier_unavailable", extra=None):
        super().__init__(message, code=code, extra=extra)


class SupplierAuthFailed(SupplierError):
    def __init__(self, message: str, *, code: str = "supplier_auth_failed", extra=None):
        super().__init__(message, code=code, extra=extra)


class RecordInvalid(SupplierError):
    """One record (a hotel, or its rates) is malformed; only that hotel fails."""

    def __init__(self, message: str, *, code: str = "supplier_record_invalid", extra=None):
        super().__init__(message, code=code, extra=extra)
