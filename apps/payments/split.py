"""How one guest payment is divided between hotel, agency, platform and the tax office.

Everything is an integer number of the currency's minor units (cents; yen for JPY and
the other zero-decimal currencies, where the minor unit *is* the major unit). No float
ever touches an amount; percentages are Decimals.

Rules, in the order they are applied (R1-R7 are what the property tests check):

R1  room total   = sum over nights of sell rate x rooms; hotel net = sum of net rates x
                   rooms; markup = room total - hotel net (never negative: the block's
                   `sell_rate_covers_net_rate` constraint).
R2  taxes        exclusive (the hotel's rates exclude tax): tax = room total x p / 100,
                   rounded half up to the minor unit, added on top.
                   inclusive (the rates include tax): tax = room total x p / (100 + p),
                   rounded half up, carved out of the room total; the part carved out of
                   the markup is tax x markup / room total, rounded half up, the rest comes
                   out of the hotel net. The guest pays the room total.
R3  mandatory fees (resort fee, city fee) = fee per night x nights x rooms, all the
                   hotel's; added on top, never taxed, never commissioned.
R4  platform fee = (room total less any inclusive tax) x fee percent / 100, rounded half
                   up, then raised to the rule's minimum and lowered to its maximum, and
                   finally capped at the markup left after tax: the platform fee comes out
                   of the agency's markup, never out of the hotel's net. What the cap cuts
                   off is reported as `fee_shortfall_minor` (the agency's margin was too
                   thin for the minimum).
R5  guest total  = room total + fees (+ tax when exclusive) — the same total as
                   apps.bookings.pricing.quote_for shows the guest first.
R6  hotel  = net - tax carved from net + fees;  agency = markup - tax carved from markup -
             platform fee;  hotel + agency + platform + taxes == guest total, exactly.
R7  a part payment (deposit, balance, refund) is divided in proportion to the parts it
    draws on with the largest-remainder method: each part gets floor(amount x part /
    whole), and the minor units left over go one each to the parts with the largest
    remainders (ties: hotel, taxes, agency, platform, in that order). The parts of a part
    payment therefore always add up to it exactly, never exceed what they draw on, and
    deposit + balance == the full split part by part (the balance takes what the deposit
    did not).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.core.money import minor_exponent

PARTS = ("hotel", "taxes", "agency", "platform")  # also the tie-break order of R7


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_minor(amount_major: Decimal, currency: str) -> int:
    """A configured amount in major units (1.50 EUR, 150 JPY) as minor units, half up."""
    return round_half_up(Decimal(amount_major).scaleb(minor_exponent(currency)))


@dataclass(frozen=True)
class FeeRule:
    """The platform's cut: a percentage of the room total, with a floor and a ceiling."""

    percent: Decimal
    min_minor: int = 0
    max_minor: int | None = None


@dataclass(frozen=True)
class Split:
    currency: str
    hotel: int       # net after any inclusive tax, plus mandatory fees
    agency: int      # markup after any inclusive tax, less the platform fee
    platform: int
    taxes: int       # collected for the hotel to remit
    fee_shortfall_minor: int = 0

    @property
    def total(self) -> int:
        return self.hotel + self.agency + self.platform + self.taxes

    def parts(self) -> dict[str, int]:
        return {part: getattr(self, part) for part in PARTS}

    def as_dict(self) -> dict:
        return asdict(self)

    def __sub__(self, other: Split) -> Split:
        assert self.currency == other.currency
        return Split(self.currency, **{p: getattr(self, p) - getattr(other, p) for p in PARTS})


def split_stay(*, nightly_rates: dict, rooms: int, tax_percent: Decimal, tax_included: bool,
               fee_per_night_minor: int, fee_rule: FeeRule, currency: str) -> Split:
    """The split of a whole stay (rules R1-R6). `nightly_rates` is the hold's
    {"YYYY-MM-DD": {"net": minor, "sell": minor}}, per room."""
    if rooms < 1 or not nightly_rates:
        raise ValueError("a stay has at least one room and one night")
    room_total = sum(rate["sell"] for rate in nightly_rates.values()) * rooms
    net_total = sum(rate["net"] for rate in nightly_rates.values()) * rooms
    markup = room_total - net_total
    if markup < 0:
        raise ValueError("sell rates must cover net rates")
    tax_percent = Decimal(tax_percent)
    tax_from_net = tax_from_markup = 0
    if tax_included:
        tax = round_half_up(Decimal(room_total) * tax_percent / (100 + tax_percent))
        tax_from_markup = (round_half_up(Decimal(tax) * markup / room_total)
                           if room_total else 0)
        tax_from_net = tax - tax_from_markup
        fee_base = room_total - tax
    else:
        tax = round_half_up(Decimal(room_total) * tax_percent / 100)
        fee_base = room_total
    fees = fee_per_night_minor * len(nightly_rates) * rooms
    wanted = round_half_up(Decimal(fee_base) * Decimal(fee_rule.percent) / 100)
    wanted = max(wanted, fee_rule.min_minor)
    if fee_rule.max_minor is not None:
        wanted = min(wanted, fee_rule.max_minor)
    markup_left = markup - tax_from_markup
    platform = min(wanted, markup_left)
    return Split(currency=currency, hotel=net_total - tax_from_net + fees,
                 agency=markup_left - platform, platform=platform, taxes=tax,
                 fee_shortfall_minor=wanted - platform)


def allocate(amount: int, whole: Split) -> Split:
    """Divide `amount` (0 <= amount <= whole.total) over whole's parts (rule R7)."""
    total = whole.total
    if not 0 <= amount <= total:
        raise ValueError(f"cannot allocate {amount} over a total of {total}")
    if amount == total:
        return Split(whole.currency, **whole.parts())
    if amount == 0:
        return Split(whole.currency, **{p: 0 for p in PARTS})
    shares, remainders = {}, []
    for order, part in enumerate(PARTS):
        quotient, remainder = divmod(amount * getattr(whole, part), total)
        shares[part] = quotient
        remainders.append((-remainder, order, part))
    left = amount - sum(shares.values())
    for _, _, part in sorted(remainders)[:left]:
        shares[part] += 1
    return Split(whole.currency, **shares)


def deposit_amount(*, total_minor: int, nightly_rates: dict, kind: str,
                   percent: Decimal) -> int:
    """The deposit: `percent` of the total, or the first night's share of it (its sell
    rate over the stay's, with its share of taxes and fees), half up, at least one
    minor unit and never more than the total."""
    if kind == "first_night":
        sells = [nightly_rates[night]["sell"] for night in sorted(nightly_rates)]
        whole = sum(sells)
        amount = (round_half_up(Decimal(total_minor) * sells[0] / whole)
                  if whole else total_minor)
    else:
        amount = round_half_up(Decimal(total_minor) * Decimal(percent) / 100)
    return min(total_minor, max(1, amount))
