"""The split maths: exact to the minor unit in every case (property-based)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.bookings.pricing import quote_for
from apps.hotels.models import Hotel
from apps.inventory.models import BlockNight
from apps.payments.split import (FeeRule, Split, allocate, deposit_amount, split_stay,
                                 to_minor)

CURRENCIES = st.sampled_from(["EUR", "USD", "JPY", "KRW", "GBP"])
PERCENT = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def stays(draw):
    nights = draw(st.integers(1, 14))
    rates = {}
    for n in range(nights):
        net = draw(st.integers(0, 5_000_000))
        sell = net + draw(st.integers(0, 2_000_000))
        rates[(date(2027, 5, 1) + timedelta(days=n)).isoformat()] = {"net": net, "sell": sell}
    minimum = draw(st.integers(0, 50_000))
    maximum = draw(st.one_of(st.none(), st.integers(minimum, 10_000_000)))
    return dict(nightly_rates=rates, rooms=draw(st.integers(1, 9)),
                tax_percent=draw(PERCENT), tax_included=draw(st.booleans()),
                fee_per_night_minor=draw(st.integers(0, 20_000)),
                fee_rule=FeeRule(percent=draw(PERCENT), min_minor=minimum, max_minor=maximum),
                currency=draw(CURRENCIES))


def _quote_total(stay) -> int:
    hotel = Hotel(tax_percent=stay["tax_percent"], tax_included=stay["tax_included"],
                  fee_per_night_minor=stay["fee_per_night_minor"])
    nights = [BlockNight(night=date.fromisoformat(night), net_rate_minor=rate["net"],
                         sell_rate_minor=rate["sell"])
              for night, rate in stay["nightly_rates"].items()]
    return quote_for(hotel=hotel, nights=nights, rooms=stay["rooms"],
                     currency=stay["currency"]).total_minor


@settings(max_examples=400, deadline=None)
@given(stays())
@example(dict(nightly_rates={"2027-05-01": {"net": 1, "sell": 1}}, rooms=1,
              tax_percent=Decimal(100), tax_included=True, fee_per_night_minor=0,
              fee_rule=FeeRule(percent=Decimal(10), min_minor=500), currency="JPY"))
def test_parts_add_up_to_what_the_guest_pays(stay):
    split = split_stay(**stay)
    assert split.total == _quote_total(stay)  # R5: the total the guest was shown
    assert split.hotel + split.agency + split.platform + split.taxes == split.total
    assert min(split.hotel, split.agency, split.platform, split.taxes) >= 0
    net = sum(r["net"] for r in stay["nightly_rates"].values()) * stay["rooms"]
    fees = stay["fee_per_night_minor"] * len(stay["nightly_rates"]) * stay["rooms"]
    if not stay["tax_included"]:
        assert split.hotel == net + fees  # R4: the fee never eats the hotel's net
    rule = stay["fee_rule"]
    if rule.max_minor is not None:
        assert split.platform <= rule.max_minor
    assert split.platform + split.fee_shortfall_minor >= min(
        rule.min_minor, rule.max_minor if rule.max_minor is not None else rule.min_minor)


@settings(max_examples=300, deadline=None)
@given(stays(), st.data())
def test_part_payments_add_up_exactly_and_never_overdraw_a_part(stay, data):
    whole = split_stay(**stay)
    deposit = data.draw(st.integers(0, whole.total))
    first = allocate(deposit, whole)
    balance = whole - first
    assert first.total == deposit and balance.total == whole.total - deposit
    for part in ("hotel", "agency", "platform", "taxes"):
        assert 0 <= getattr(first, part) <= getattr(whole, part)
        assert getattr(first, part) + getattr(balance, part) == getattr(whole, part)
    # refunds in several goes never give back more of a part than was paid into it
    remaining = whole
    for _ in range(3):
        refund = allocate(data.draw(st.integers(0, remaining.total)), remaining)
        remaining = remaining - refund
        assert min(remaining.parts().values()) >= 0


@settings(max_examples=200, deadline=None)
@given(stays(), st.sampled_from(["percent", "first_night"]), PERCENT)
def test_deposit_is_within_the_total(stay, kind, percent):
    total = split_stay(**stay).total
    if total == 0:
        return
    amount = deposit_amount(total_minor=total, nightly_rates=stay["nightly_rates"],
                            kind=kind, percent=percent)
    assert 1 <= amount <= total


def test_worked_example_in_euros():
    rates = {"2027-05-01": {"net": 10000, "sell": 12000},
             "2027-05-02": {"net": 10000, "sell": 12000}}
    split = split_stay(nightly_rates=rates, rooms=2, tax_percent=Decimal("6"),
                       tax_included=False, fee_per_night_minor=200,
                       fee_rule=FeeRule(percent=Decimal("3")), currency="EUR")
    # rooms 480.00, net 400.00, markup 80.00, tax 28.80, fees 8.00, platform 3% = 14.40
    assert split == Split("EUR", hotel=40800, agency=6560, platform=1440, taxes=2880)
    assert split.total == 48000 + 2880 + 800


def test_zero_decimal_currency_rounds_to_whole_yen():
    rates = {"2027-05-01": {"net": 18333, "sell": 21999}}
    split = split_stay(nightly_rates=rates, rooms=1, tax_percent=Decimal("10"),
                       tax_included=True, fee_per_night_minor=0,
                       fee_rule=FeeRule(percent=Decimal("2.5"), min_minor=to_minor(
                           Decimal("300"), "JPY")), currency="JPY")
    assert split.taxes == 2000  # 21999 x 10/110 = 1999.9 -> 2000 yen
    assert split.platform == 500  # 2.5% of 19999 = 499.975 -> 500 (over the 300 minimum)
    assert split.total == 21999
    assert to_minor(Decimal("1.50"), "EUR") == 150 and to_minor(Decimal("1.5"), "JPY") == 2


def test_thin_markup_caps_the_platform_fee_and_reports_the_shortfall():
    rates = {"2027-05-01": {"net": 10000, "sell": 10100}}
    split = split_stay(nightly_rates=rates, rooms=1, tax_percent=Decimal(0),
                       tax_included=False, fee_per_night_minor=0,
                       fee_rule=FeeRule(percent=Decimal(1), min_minor=300), currency="EUR")
    assert (split.hotel, split.agency, split.platform) == (10000, 0, 100)
    assert split.fee_shortfall_minor == 200


def test_allocate_refuses_more_than_the_whole():
    whole = Split("EUR", hotel=1, agency=1, platform=1, taxes=1)
    with pytest.raises(ValueError):
        allocate(5, whole)
