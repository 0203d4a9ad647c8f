"""What a stay costs, from the block's night rows. Integer minor units throughout.

Room total = sum over nights of the sell rate x rooms. Taxes: the hotel's tax_percent on
the room total, rounded half-up to the minor unit, unless the rates already include it.
Mandatory fees: fee_per_night_minor x nights x rooms. The guest sees the grand total
(rooms + taxes + fees) first.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

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


def quote_for(*, hotel: Hotel, nights: list[BlockNight], rooms: int, currency: str) -> Quote:
    rates = {row.night.isoformat(): {"net": row.net_rate_minor, "sell": row.sell_rate_minor}
             for row in nights}
    room_total = sum(rate["sell"] for rate in rates.values()) * rooms
    tax = 0
    if not hotel.tax_included and hotel.tax_percent:
        tax = int((Decimal(room_total) * hotel.tax_percent / 100)
                  .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    fees = hotel.fee_per_night_minor * len(rates) * rooms
    return Quote(nightly_rates=rates, rooms=rooms, room_total_minor=room_total, tax_minor=tax,
                 fees_minor=fees, currency=currency)
