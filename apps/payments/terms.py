"""Which payment terms apply to a hold: how much is charged now, what the platform takes,
and when the hotel and the agency are paid.

- RoomBlock.payment_mode: pay at the hotel (nothing online), prepay (everything now) or
  deposit (PaymentTerms: a percentage or the first night now, the balance
  `balance_due_days` before arrival).
- APT-1: the hold's risk score, against the group's thresholds (apps.risk), can make the
  block's terms stricter (pay at the hotel -> deposit -> prepay), never looser. The score
  never blocks a booking, it only changes the terms.
- Platform fee: the group's PlatformFee rule for the currency, else the agency's, else
  settings.PLATFORM_FEE_PERCENT with no floor or cap.
- Payout dates (the float): PaymentTerms.hotel_payout / agency_payout.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.bookings.models import Hold
from apps.connect.models import PlatformFee
from apps.inventory.models import RoomBlock
from apps.risk.selectors import payment_mode_for, thresholds_for

from .models import Payment, PaymentTerms, PayoutTiming
from .split import FeeRule, Split, allocate, deposit_amount, split_stay, to_minor


@dataclass(frozen=True)
class Plan:
    kind: str                 # Payment.Kind: full or deposit
    whole: Split              # the whole stay
    now: Split                # what is charged now
    balance_due_on: date | None

    @property
    def balance(self) -> Split:
        return self.whole - self.now


def terms_for(block: RoomBlock) -> PaymentTerms:
    terms = PaymentTerms.objects.filter(block=block).first()
    return terms or PaymentTerms(block=block)


def mode_for(hold: Hold) -> str:
    """The terms this hold gets: the block's, made stricter by a high APT-1 score."""
    return payment_mode_for(score=hold.risk_score, block_mode=hold.block.payment_mode,
                            thresholds=thresholds_for(connection.tenant))


ONLINE_MODES = {RoomBlock.PaymentMode.PREPAY, RoomBlock.PaymentMode.DEPOSIT}


def fee_rule_for(*, currency: str) -> FeeRule:
    group = connection.tenant
    rules = PlatformFee.objects.filter(currency=currency)
    rule = (rules.filter(group_id=group.pk).first()
            or rules.filter(agency_id=group.agency_id, group__isnull=True).first())
    if rule is None:
        return FeeRule(percent=Decimal(settings.PLATFORM_FEE_PERCENT))
    return FeeRule(percent=rule.percent, min_minor=to_minor(rule.minimum, currency),
                   max_minor=None if rule.maximum is None else to_minor(rule.maximum, currency))


def whole_split(hold: Hold) -> Split:
    hotel = hold.block.hotel
    return split_stay(nightly_rates=hold.nightly_rates, rooms=hold.quantity,
                      tax_percent=hotel.tax_percent, tax_included=hotel.tax_included,
                      fee_per_night_minor=hotel.fee_per_night_minor,
                      fee_rule=fee_rule_for(currency=hold.currency), currency=hold.currency)


def plan_for(hold: Hold, mode: str | None = None) -> Plan:
    """What the guest pays now for this hold, split; the rest is the balance. `mode`: the
    hold's terms when the caller already has them (mode_for)."""
    mode = mode or mode_for(hold)
    whole = whole_split(hold)
    block = hold.block
    terms = terms_for(block)
    due_on = hold.check_in - timedelta(days=terms.balance_due_days)
    if mode != RoomBlock.PaymentMode.DEPOSIT or due_on <= timezone.localdate():
        return Plan(kind=Payment.Kind.FULL, whole=whole, now=whole, balance_due_on=None)
    amount = deposit_amount(total_minor=whole.total, nightly_rates=hold.nightly_rates,
                            kind=terms.deposit_kind, percent=terms.deposit_percent)
    if amount >= whole.total:
        return Plan(kind=Payment.Kind.FULL, whole=whole, now=whole, balance_due_on=None)
    return Plan(kind=Payment.Kind.DEPOSIT, whole=whole, now=allocate(amount, whole),
                balance_due_on=due_on)


def payout_date(timing: str, *, block: RoomBlock, check_in: date, paid_on: date) -> date:
    if timing == PayoutTiming.AT_CUTOFF:
        return max(paid_on, block.cutoff_date)
    if timing == PayoutTiming.AFTER_CHECK_IN:
        return max(paid_on, check_in + timedelta(days=1))
    return paid_on
