"""Attrition exposure and comps earned, by the block contract's own terms. Pure maths.

The rules, as Ancile applies them:

- **Commitment.** The group promised to fill the contracted nights (arrival up to
  departure, shoulder nights excluded) up to `100 - attrition_percent` percent of the
  allotment. The allotment is the block's current one: rooms released to the hotel
  lower the commitment, which is what releasing before the cutoff is for.
- **Pickup** is booked room nights only. Rooms held by a guest who has not finished
  paying do not count ("if the event were today", they are not sold).
- **Shortfall** (room nights) = required − picked up, never below zero.
  *Cumulative*: one shortfall over all contracted room nights together, so a strong
  night makes up for a weak one. *Per night*: a shortfall for each night on its own,
  and over-pickup on one night does not help another.
- **Damages** = shortfall × NET rate × `damages_percent`. The hotel's lost revenue is
  the net rate (what it would have been paid); the agent's markup (sell − net) is not the
  hotel's loss. Where room types have different rates, the rate is the average net rate
  weighted by allotment: over the whole stay (cumulative) or over that night (per night).
- **Rounding.** Everything is exact Decimal until money: each amount is rounded once to
  integer minor units with ROUND_HALF_UP. Per night, each night is rounded and the total
  is the sum of the rounded nights (so the lines add up on the page); cumulative rounds
  the single amount.
- **Comps.** One comp room night per `comp_per_paid_nights` paid (booked) room nights,
  shoulder nights included, rounded down; a suite room night counts as two. 0: no comps.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
CUMULATIVE = "cumulative"
PER_NIGHT = "per_night"


@dataclass(frozen=True)
class NightLine:
    """One room type on one night: what was contracted and what was sold."""

    night: date
    allotment: int
    booked: int
    net_rate_minor: int
    is_shoulder: bool = False
    is_suite: bool = False


@dataclass(frozen=True)
class Terms:
    mode: str                  # CUMULATIVE or PER_NIGHT
    attrition_percent: Decimal
    damages_percent: Decimal
    comp_per_paid_nights: int = 0


@dataclass(frozen=True)
class NightExposure:
    night: date
    contracted: int
    required: Decimal
    picked_up: int
    shortfall: Decimal
    owed_minor: int


@dataclass(frozen=True)
class Exposure:
    mode: str
    contracted: int            # contracted room nights
    required: Decimal          # room nights the group must pick up
    picked_up: int
    shortfall: Decimal
    owed_minor: int
    nights: list[NightExposure] = field(default_factory=list)  # per-night mode only


def to_minor(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _damages(shortfall: Decimal, lines: list[NightLine], damages_percent: Decimal) -> Decimal:
    contracted = sum(line.allotment for line in lines)
    if not shortfall or not contracted:
        return Decimal(0)
    revenue = sum(Decimal(line.allotment) * line.net_rate_minor for line in lines)
    return shortfall * (revenue / contracted) * damages_percent / HUNDRED


def _measure(lines: list[NightLine], attrition_percent: Decimal):
    contracted = sum(line.allotment for line in lines)
    picked_up = sum(line.booked for line in lines)
    required = Decimal(contracted) * (HUNDRED - attrition_percent) / HUNDRED
    return contracted, required, picked_up, max(Decimal(0), required - picked_up)


def attrition_exposure(lines: list[NightLine], terms: Terms) -> Exposure:
    """What the group would owe the hotel if the event were today, in minor units."""
    contract = [line for line in lines if not line.is_shoulder]
    contracted, required, picked_up, shortfall = _measure(contract, terms.attrition_percent)
    if terms.mode == CUMULATIVE:
        owed = to_minor(_damages(shortfall, contract, terms.damages_percent))
        return Exposure(mode=terms.mode, contracted=contracted, required=required,
                        picked_up=picked_up, shortfall=shortfall, owed_minor=owed)
    if terms.mode != PER_NIGHT:
        raise ValueError(f"Unknown attrition mode {terms.mode!r}")
    by_night = defaultdict(list)
    for line in contract:
        by_night[line.night].append(line)
    nights = []
    for night in sorted(by_night):
        n_contracted, n_required, n_picked, n_short = _measure(by_night[night],
                                                               terms.attrition_percent)
        nights.append(NightExposure(
            night=night, contracted=n_contracted, required=n_required, picked_up=n_picked,
            shortfall=n_short,
            owed_minor=to_minor(_damages(n_short, by_night[night], terms.damages_percent))))
    return Exposure(mode=terms.mode, contracted=contracted, required=required,
                    picked_up=picked_up, shortfall=sum((n.shortfall for n in nights),
                                                       Decimal(0)),
                    owed_minor=sum(n.owed_minor for n in nights), nights=nights)


def comps_earned(lines: list[NightLine], comp_per_paid_nights: int) -> int:
    """Comp room nights earned: one per N paid room nights, suites counting double."""
    if comp_per_paid_nights <= 0:
        return 0
    paid = sum(line.booked * (2 if line.is_suite else 1) for line in lines)
    return paid // comp_per_paid_nights
