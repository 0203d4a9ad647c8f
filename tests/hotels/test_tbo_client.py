"""The TBO client against the fake TBO server: tokens, retries, timeouts, errors, paging."""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from apps.hotels.suppliers.base import (HotelRecord, InvalidRecord, RecordInvalid,
                                        SupplierAuthFailed, SupplierError, SupplierUnavailable)

pytestmark = pytest.mark.django_db

NIGHT = date(2027, 3, 1)  # a Monday


def _codes(records):
    return [record.code for record in records]


def test_the_token_is_cached_in_redis_and_shared_between_clients(fake_tbo, tbo_client):
    list(tbo_client().hotels())
    list(tbo_client().hotels())
    assert fake_tbo.requests["/Authenticate"] == 1
    assert fake_tbo.requests["/HotelList"] == 6


def test_an_expired_token_is_replaced_before_it_is_sent(fake_tbo, tbo_client):
    fake_tbo.token_lifetime = 0.3
    client = tbo_client(token_margin=0)
    client.rates(hotel_code="TBO-LIS-1001", first_night=NIGHT, last_night=NIGHT)
    time.sleep(0.35)
    client.rates(hotel_code="TBO-LIS-1001", first_night=NIGHT, last_night=NIGHT)
    assert fake_tbo.requests["/Authenticate"] == 2
    assert fake_tbo.rejected_tokens == 0


@pytest.mark.parametrize("http_401", [False, True], ids=["error in 200 body", "HTTP 401"])
def test_a_rejected_token_is_replaced_and_the_call_repeated(fake_tbo, tbo_client, http_401):
    fake_tbo.reject_with_http_401 = http_401
    client = tbo_client()
    client.rates(hotel_code="TBO-LIS-1001", first_night=NIGHT, last_night=NIGHT)
    fake_tbo.revoke_tokens()
    rates = client.rates(hotel_code="TBO-LIS-1001", first_night=NIGHT, last_night=NIGHT)
    assert len(rates) == 3
    assert fake_tbo.rejected_tokens == 1
    assert fake_tbo.requests["/Authenticate"] == 2


def test_wrong_credentials_fail_clearly_without_looping(fake_tbo, tbo_client):
    with pytest.raises(SupplierAuthFailed) as error:
        list(tbo_client(password="wrong").hotels())
    assert "Invalid UserName or Password" in error.value.message
    assert fake_tbo.requests["/Authenticate"] == 1


def test_429_waits_as_long_as_retry_after_says(fake_tbo, tbo_client, waits):
    fake_tbo.fail_next("/HotelList", status=429, retry_after="2")
    assert len(list(tbo_client().hotels())) == 5
    assert waits == [2.0]


def test_429_without_retry_after_backs_off_exponentially(fake_tbo, tbo_client, waits):
    fake_tbo.fail_next("/HotelList", status=429, times=2)
    assert len(list(tbo_client().hotels())) == 5
    assert waits == [0.01, 0.02]


def test_retry_after_is_capped(fake_tbo, tbo_client, waits):
    fake_tbo.fail_next("/HotelList", status=429, retry_after="3600")
    list(tbo_client(max_wait=5).hotels())
    assert waits == [5]


def test_a_500_is_retried_and_then_succeeds(fake_tbo, tbo_client, waits):
    fake_tbo.fail_next("/HotelRates", status=500)
    rates = tbo_client().rates(hotel_code="TBO-BER-3002", first_night=NIGHT, last_night=NIGHT)
    assert len(rates) == 1
    assert fake_tbo.requests["/HotelRates"] == 2
    assert len(waits) == 1


def test_persistent_500s_give_up_after_max_attempts(fake_tbo, tbo_client):
    fake_tbo.fail_next("/HotelRates", status=503, times=10)
    with pytest.raises(SupplierUnavailable) as error:
        tbo_client(max_attempts=3).rates(hotel_code="TBO-BER-3002", first_night=NIGHT,
                                         last_night=NIGHT)
    assert "HTTP 503 (3 attempts)" in error.value.message
    assert fake_tbo.requests["/HotelRates"] == 3


def test_a_slow_reply_times_out_and_the_retry_succeeds(fake_tbo, tbo_client, waits):
    fake_tbo.fail_next("/HotelRates", delay=0.5)
    client = tbo_client(timeout=(1, 0.2))
    rates = client.rates(hotel_code="TBO-BER-3002", first_night=NIGHT, last_night=NIGHT)
    assert len(rates) == 1
    assert len(waits) == 1


def test_a_supplier_that_keeps_timing_out_is_reported_unavailable(fake_tbo, tbo_client):
    fake_tbo.fail_next("/HotelRates", delay=0.3, times=2)
    client = tbo_client(timeout=(1, 0.1), max_attempts=2)
    with pytest.raises(SupplierUnavailable) as error:
        client.rates(hotel_code="TBO-BER-3002", first_night=NIGHT, last_night=NIGHT)
    assert "timed out (2 attempts)" in error.value.message


def test_an_error_in_a_200_body_is_raised_with_its_description_and_not_retried(
        fake_tbo, tbo_client):
    fake_tbo.fail_next("/HotelList", body={"Status": {"Code": 400,
                                                      "Description": "PageSize too large"}})
    with pytest.raises(SupplierError) as error:
        list(tbo_client().hotels())
    assert error.value.message == "/HotelList: 400 PageSize too large"
    assert fake_tbo.requests["/HotelList"] == 1


def test_a_server_error_in_a_200_body_is_retried(fake_tbo, tbo_client):
    fake_tbo.fail_next("/HotelList", body={"Status": {"Code": 500, "Description": "Busy"}})
    assert len(list(tbo_client().hotels())) == 5


def test_all_pages_are_fetched_and_filters_are_passed_on(fake_tbo, tbo_client):
    client = tbo_client()
    assert _codes(client.hotels()) == ["TBO-LIS-1001", "TBO-LIS-1002", "TBO-SIN-2001",
                                       "TBO-BER-3001", "TBO-BER-3002"]
    assert fake_tbo.requests["/HotelList"] == 3
    assert _codes(client.hotels(codes=["TBO-SIN-2001"])) == ["TBO-SIN-2001"]
    assert _codes(client.hotels(since=date(2025, 3, 1))) == ["TBO-LIS-1001", "TBO-SIN-2001"]


def test_records_become_supplier_neutral_records(tbo_client):
    hotel = next(tbo_client().hotels(codes=["TBO-LIS-1001"]))
    assert isinstance(hotel, HotelRecord)
    assert (hotel.name, hotel.city, hotel.country, hotel.star_rating) == (
        "Lisboa Riverside Hotel", "Lisbon", "PT", 4)
    suite = hotel.room_types[2]
    assert (suite.code, suite.bed_type, suite.max_occupancy, suite.is_suite) == (
        "STE", "suite", 4, True)


def test_prices_are_read_as_decimals_and_rounded_half_up_to_cents(fake_tbo, tbo_client):
    fake_tbo.set_rate("TBO-LIS-1001", "TWN", NIGHT, price=Decimal("100.005"))
    rates = tbo_client().rates(hotel_code="TBO-LIS-1001", first_night=NIGHT,
                               last_night=NIGHT + timedelta(days=4))
    by_key = {(rate.room_type_code, rate.night): rate for rate in rates}
    assert len(rates) == 15
    # 118.675 is 118.67499… as a float: only Decimal parsing gives 11868.
    assert by_key["DBL", NIGHT].rate_minor == 11868
    assert by_key["TWN", NIGHT].rate_minor == 10001
    # Friday: the fake adds 15 % (118.675 * 1.15 = 136.476).
    assert by_key["DBL", NIGHT + timedelta(days=4)].rate_minor == 13648
    assert by_key["DBL", NIGHT].currency == "EUR"


def test_a_malformed_hotel_record_comes_back_as_invalid_and_the_rest_still_arrive(
        fake_tbo, tbo_client):
    fake_tbo.malformed.add("TBO-LIS-1002")
    records = list(tbo_client().hotels())
    bad = [record for record in records if isinstance(record, InvalidRecord)]
    assert len(records) == 5
    assert bad == [InvalidRecord(code="TBO-LIS-1002", name="Casa do Chiado",
                                 problem="MaxOccupancy must be a whole number of at least 1: "
                                         "'two'")]


def test_malformed_rates_raise_record_invalid(fake_tbo, tbo_client):
    fake_tbo.malformed_rates.add("TBO-BER-3002")
    with pytest.raises(RecordInvalid) as error:
        tbo_client().rates(hotel_code="TBO-BER-3002", first_night=NIGHT, last_night=NIGHT)
    assert "Price is not a number: 'on request'" in error.value.message
