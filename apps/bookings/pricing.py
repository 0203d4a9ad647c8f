"""What a stay costs, from the block's night rows. Integer minor units throughout.

Room total = sum over nights of the sell rate x rooms. Taxes: the hotel's tax_percent on
the room total, rounded half-up to the minor unit, unless the rates already include it.
Mandatory fees: fee_per_night_minor x nights x rooms. The guest sees the grand total
(rooms + taxes + fees) first.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection

from apps.core.memo import Recent
from apps.hotels.models import Hotel
from apps.inventory.models import BlockNight


@dataclass(frozen=True)
class Quote:
    nightly_rates: dict  # {"YYYY-MM-DD": {"net": minor, "sell": minor}} per room
    rooms: int
    room_total_minor: int
    tax_minor: int
    fees_minor: int
    currency: str

    @property
    def total_minor(self) -> int:
        return self.room_total_minor + self.tax_minor + self.fees_minor


def nightly_rates(nights: list[BlockNight]) -> dict:
    """{"YYYY-MM-DD": {"net": minor, "sell": minor}} per room, for these night rows."""
    return {row.night.isoformat(): {"net": row.net_rate_minor, "sell": row.sell_rate_minor}
            for row in nights}


def quote_for(*, hotel: Hotel, nights: list[BlockNight], rooms: int, currency: str) -> Quote:
    return quote_rates(hotel=hotel, rates=nightly_rates(nights), rooms=rooms,
                       currency=currency)


def quote_rates(*, hotel: Hotel, rates: dict, rooms: int, currency: str) -> Quote:
    room_total = sum(rate["sell"] for rate in rates.values()) * rooms
    tax = 0
    if not hotel.tax_included and hotel.tax_percent:
        tax = int((Decimal(room_total) * hotel.tax_percent / 100)
                  .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    fees = hotel.fee_per_night_minor * len(rates) * rooms
    return Quote(nightly_rates=rates, rooms=rooms, room_total_minor=room_total, tax_minor=tax,
                 fees_minor=fees, currency=currency)


# A stay's rates as read at most BOOKING_RATES_MEMO_SECONDS ago in this process, to price a
# hold before its night rows are locked (so the locked stretch has no insert to wait on).
# The locked rows have the last word: a hold priced on rates that have since changed is
# re-priced from them before it commits.
_recent_rates = Recent(lambda: settings.BOOKING_RATES_MEMO_SECONDS)


def recent_rates(*, block_id: int, room_type_id: int, check_in: date, check_out: date) -> dict:
    def load():
        return nightly_rates(BlockNight.objects.filter(
            block_id=block_id, room_type_id=room_type_id, night__gte=check_in,
            night__lt=check_out).order_by("night").only("night", "net_rate_minor",
                                                        "sell_rate_minor"))

    return _recent_rates.get((connection.schema_name, block_id, room_type_id, check_in,
                              check_out), load)
