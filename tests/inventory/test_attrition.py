"""Attrition exposure and comps on worked contract examples (pure maths, no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.inventory.attrition import (CUMULATIVE, PER_NIGHT, NightLine, Terms,
                                      attrition_exposure, comps_earned)

FIRST = date(2027, 6, 10)


def nights(*booked, allotment=100, net=15000, **extra):
    return [NightLine(night=FIRST + timedelta(days=i), allotment=allotment, booked=b,
                      net_rate_minor=net, **extra) for i, b in enumerate(booked)]


def terms(mode=CUMULATIVE, attrition="20", damages="80"):
    return Terms(mode=mode, attrition_percent=Decimal(attrition),
                 damages_percent=Decimal(damages))


@pytest.mark.parametrize("mode", [CUMULATIVE, PER_NIGHT])
def test_hundred_rooms_three_nights_seventy_picked_up(mode):
    # 300 contracted room nights, 20% allowance: 240 must be sold; 210 were.
    # 30 room nights short × €150 net × 80% damages = €3,600.
    exposure = attrition_exposure(nights(70, 70, 70), terms(mode))
    assert exposure.contracted == 300
    assert exposure.required == Decimal(240)
    assert exposure.picked_up == 210
    assert exposure.shortfall == Decimal(30)
    assert exposure.owed_minor == 360000


def test_cumulative_lets_a_full_night_make_up_for_a_weak_one():
    # 100 + 50 + 90 = 240 room nights: exactly the 80% needed overall.
    exposure = attrition_exposure(nights(100, 50, 90), terms(CUMULATIVE))
    assert exposure.shortfall == 0
    assert exposure.owed_minor == 0


def test_per_night_counts_each_night_on_its_own():
    # Night 2 needs 80 and sold 50: 30 short × €150 × 80% = €3,600; the others are fine.
    exposure = attrition_exposure(nights(100, 50, 90), terms(PER_NIGHT))
    assert [n.owed_minor for n in exposure.nights] == [0, 360000, 0]
    assert exposure.shortfall == Decimal(30)
    assert exposure.owed_minor == 360000


@pytest.mark.parametrize("mode", [CUMULATIVE, PER_NIGHT])
def test_zero_allotment_owes_nothing(mode):
    exposure = attrition_exposure(nights(0, 0, allotment=0), terms(mode))
    assert (exposure.contracted, exposure.owed_minor) == (0, 0)


@pytest.mark.parametrize("mode", [CUMULATIVE, PER_NIGHT])
def test_hundred_percent_attrition_owes_nothing_even_with_no_pickup(mode):
    exposure = attrition_exposure(nights(0, 0, 0), terms(mode, attrition="100"))
    assert exposure.required == 0
    assert exposure.owed_minor == 0


def test_no_bookings_at_all_owes_damages_on_every_required_night():
    exposure = attrition_exposure(nights(0, 0, 0), terms(CUMULATIVE, attrition="0",
                                                         damages="100"))
    assert exposure.owed_minor == 300 * 15000


def test_rounds_half_up_to_the_cent():
    # 1 room night short × €123.45 × 50% = €61.725 → €61.73 (banker's rounding: 61.72).
    lines = nights(0, allotment=1, net=12345)
    assert attrition_exposure(lines, terms(attrition="0", damages="50")).owed_minor == 6173


def test_a_fractional_requirement_is_not_rounded_away():
    # 33 rooms, 20% allowance: 26.4 room nights needed; 26 sold leaves 0.4 × €100.
    lines = nights(26, allotment=33, net=10000)
    exposure = attrition_exposure(lines, terms(damages="100"))
    assert exposure.required == Decimal("26.4")
    assert exposure.owed_minor == 4000


def test_per_night_rounds_each_night_and_adds_them_up():
    # 10 rooms, 5% allowance: 9.5 needed a night, 9 sold. Each night: 0.5 short × 1 minor
    # = 0.5 → 1, so 2 in all; cumulative rounds once: 1 short × 1 minor = 1.
    lines = nights(9, 9, allotment=10, net=1)
    per_night = attrition_exposure(lines, terms(PER_NIGHT, attrition="5", damages="100"))
    cumulative = attrition_exposure(lines, terms(CUMULATIVE, attrition="5", damages="100"))
    assert [n.owed_minor for n in per_night.nights] == [1, 1]
    assert per_night.owed_minor == 2
    assert cumulative.owed_minor == 1


def test_damages_use_the_allotment_weighted_net_rate():
    # 10 doubles at €100 and 10 suites at €300 on one night, none sold, no allowance:
    # 20 short × €200 average × 100%.
    night = FIRST
    lines = [NightLine(night=night, allotment=10, booked=0, net_rate_minor=10000),
             NightLine(night=night, allotment=10, booked=0, net_rate_minor=30000,
                       is_suite=True)]
    assert attrition_exposure(lines, terms(attrition="0", damages="100")).owed_minor == 400000


def test_shoulder_nights_are_outside_the_commitment():
    lines = nights(80, 80) + [NightLine(night=FIRST - timedelta(days=1), allotment=50,
                                        booked=0, net_rate_minor=15000, is_shoulder=True)]
    exposure = attrition_exposure(lines, terms())
    assert exposure.contracted == 200
    assert exposure.owed_minor == 0


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        attrition_exposure(nights(1), terms(mode="yearly"))


def test_one_comp_per_forty_paid_room_nights():
    assert comps_earned(nights(40, 39), 40) == 1
    assert comps_earned(nights(40, 40), 40) == 2
    assert comps_earned(nights(39), 40) == 0


def test_suites_count_double_towards_comps():
    lines = nights(30) + nights(5, is_suite=True)       # 30 + 2 × 5 = 40
    assert comps_earned(lines, 40) == 1
    assert comps_earned(nights(30) + nights(4, is_suite=True), 40) == 0


def test_shoulder_nights_earn_comps_and_zero_means_no_comps():
    lines = nights(20) + nights(20, is_shoulder=True)
    assert comps_earned(lines, 40) == 1
    assert comps_earned(lines, 0) == 0
