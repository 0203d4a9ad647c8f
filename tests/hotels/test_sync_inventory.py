"""`manage.py sync_inventory` and the catalogue sync, against the fake TBO server."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from apps.hotels.models import Hotel, RoomType, SupplierRate
from apps.hotels.services import SyncReport, catalogue_sync, hotel_sync
from apps.hotels.suppliers.base import HotelRecord, RoomTypeRecord
from apps.hotels.suppliers.fake_tbo import CATALOGUE

pytestmark = pytest.mark.django_db

FIRST = date(2027, 3, 1)


def _sync(client, **options) -> SyncReport:
    report = SyncReport()
    for outcome in catalogue_sync(supplier=client, first_night=FIRST, nights=3, **options):
        report.add(outcome)
    return report


def _snapshot():
    return {
        "hotels": list(Hotel.objects.order_by("id").values()),
        "room_types": list(RoomType.objects.order_by("id").values()),
        "rates": list(SupplierRate.objects.order_by("id").values()),
    }


@pytest.fixture
def client(tbo_client):
    return tbo_client()


def test_a_first_sync_creates_the_catalogue_with_rates_in_minor_units(client):
    report = _sync(client)
    assert report.hotels == {"created": 5}
    assert report.records == {"room types created": 10, "rates created": 30}
    hotel = Hotel.objects.get(supplier="tbo", supplier_code="TBO-LIS-1001")
    assert (hotel.name, hotel.city, hotel.country, hotel.star_rating) == (
        "Lisboa Riverside Hotel", "Lisbon", "PT", 4)
    rate = SupplierRate.objects.get(room_type__hotel=hotel, room_type__code="DBL", night=FIRST)
    assert (rate.rate_minor, rate.currency) == (11868, "EUR")
    assert rate.available > 0


def test_a_second_sync_changes_nothing_and_says_so(client):
    _sync(client)
    before = _snapshot()
    report = _sync(client)
    assert report.hotels == {"unchanged": 5}
    assert sum(report.records.values()) == 0
    assert _snapshot() == before


def test_a_price_change_is_picked_up_on_the_next_sync(client, fake_tbo):
    _sync(client)
    fake_tbo.set_rate("TBO-SIN-2001", "KNG", FIRST + timedelta(days=1), price=Decimal("210"),
                      available=1)
    outcomes = {o.code: o for o in catalogue_sync(supplier=client, first_night=FIRST, nights=3)}
    changed = outcomes["TBO-SIN-2001"]
    assert changed.status == "updated"
    assert changed.changes == [
        f"rate KNG {FIRST + timedelta(days=1)}: 18999 EUR, 7 rooms -> 21000 EUR, 1 rooms"]
    assert [o.status for o in outcomes.values()].count("unchanged") == 4
    rate = SupplierRate.objects.get(room_type__hotel__supplier_code="TBO-SIN-2001",
                                    room_type__code="KNG", night=FIRST + timedelta(days=1))
    assert (rate.rate_minor, rate.available) == (21000, 1)


def test_a_malformed_hotel_fails_alone_and_the_rest_sync(client, fake_tbo):
    fake_tbo.malformed.add("TBO-LIS-1002")
    fake_tbo.malformed_rates.add("TBO-BER-3001")
    outcomes = {o.code: o for o in catalogue_sync(supplier=client, first_night=FIRST, nights=3)}
    assert {code for code, o in outcomes.items() if o.status == "failed"} == {
        "TBO-LIS-1002", "TBO-BER-3001"}
    assert "MaxOccupancy" in outcomes["TBO-LIS-1002"].problem
    assert "Price is not a number" in outcomes["TBO-BER-3001"].problem
    assert set(Hotel.objects.values_list("supplier_code", flat=True)) == {
        "TBO-LIS-1001", "TBO-SIN-2001", "TBO-BER-3002"}


def test_a_hotel_is_written_whole_or_not_at_all(client):
    _sync(client, hotel_codes=["TBO-BER-3002"])
    record = HotelRecord(code="TBO-BER-3002", name="New name", city="Berlin", country="DE",
                         currency="EUR", room_types=(RoomTypeRecord(
                             code="DBL", name="y" * 500, bed_type="double", max_occupancy=2),))
    with pytest.raises(ValidationError, match="name"):
        hotel_sync(supplier="tbo", record=record, rates=[], first_night=FIRST,
                   last_night=FIRST)
    assert Hotel.objects.get(supplier_code="TBO-BER-3002").name == "Hotel am Tiergarten"


def test_dry_run_writes_nothing(client, fake_tbo):
    report = _sync(client, dry_run=True)
    assert report.hotels == {"created": 5}
    assert not Hotel.objects.exists() and not SupplierRate.objects.exists()
    _sync(client)
    before = _snapshot()
    fake_tbo.set_rate("TBO-LIS-1001", "DBL", FIRST, price=Decimal("1.00"))
    report = _sync(client, dry_run=True)
    assert report.hotels == {"updated": 1, "unchanged": 4}
    assert _snapshot() == before


def test_nights_the_supplier_stops_offering_are_marked_unavailable(client, fake_tbo):
    _sync(client, hotel_codes=["TBO-BER-3002"])
    fake_tbo.fail_next("/HotelRates", body={"Status": {"Code": 200, "Description": "OK"},
                                            "Currency": "EUR", "Rooms": []})
    report = _sync(client, hotel_codes=["TBO-BER-3002"])
    assert report.hotels == {"updated": 1}
    assert set(SupplierRate.objects.values_list("available", flat=True)) == {0}


def test_hand_entered_taxes_and_fees_survive_a_sync(client):
    _sync(client, hotel_codes=["TBO-LIS-1001"])
    Hotel.objects.filter(supplier_code="TBO-LIS-1001").update(
        tax_percent=Decimal("6"), fee_per_night_minor=200)
    _sync(client, hotel_codes=["TBO-LIS-1001"])
    hotel = Hotel.objects.get(supplier_code="TBO-LIS-1001")
    assert (hotel.tax_percent, hotel.fee_per_night_minor) == (Decimal("6"), 200)


# ------------------------------------------------------------------------- the command


def _command(*args):
    out = StringIO()
    call_command("sync_inventory", "--supplier", "fake", "--from", "2027-03-01",
                 "--nights", "2", *args, stdout=out)
    return out.getvalue()


def test_the_command_syncs_from_the_fake_and_a_second_run_is_all_unchanged():
    first = _command()
    assert "Syncing from the built-in fake TBO server at http://127.0.0.1:" in first
    assert "Done: hotels 5 created, 0 updated, 0 unchanged, 0 failed." in first
    assert Hotel.objects.filter(supplier="fake").count() == 5
    assert SupplierRate.objects.count() == 20
    assert "Done: hotels 0 created, 0 updated, 5 unchanged, 0 failed." in _command()


def test_the_command_filters_by_hotel_and_dry_run_writes_nothing():
    out = _command("--hotel", "TBO-LIS-1001", "--hotel", "TBO-BER-3002", "--dry-run")
    assert "would create TBO-LIS-1001 (Lisboa Riverside Hotel)" in out
    assert "would create TBO-BER-3002 (Hotel am Tiergarten)" in out
    assert "Dry run, nothing written. Would have: hotels 2 created" in out
    assert not Hotel.objects.exists()


def test_the_command_names_a_failed_hotel_and_exits_non_zero(fake_tbo, settings):
    settings.TBO_BASE_URL = fake_tbo.url
    settings.TBO_USERNAME, settings.TBO_PASSWORD = fake_tbo.username, fake_tbo.password
    fake_tbo.malformed.add("TBO-SIN-2001")
    out = StringIO()
    with pytest.raises(CommandError, match="1 hotel failed"):
        call_command("sync_inventory", "--supplier", "tbo", "--nights", "1", stdout=out)
    assert ("FAILED TBO-SIN-2001 (Serra de Sintra Hotel): MaxOccupancy must be a whole "
            "number of at least 1: 'two'") in out.getvalue()
    assert "Done: hotels 4 created, 0 updated, 0 unchanged, 1 failed." in out.getvalue()
    assert Hotel.objects.filter(supplier="tbo").count() == 4


def test_the_tbo_supplier_without_a_url_says_how_to_configure_it(settings):
    settings.TBO_BASE_URL = ""
    with pytest.raises(CommandError, match="TBO_BASE_URL is not set.*--supplier fake"):
        call_command("sync_inventory", "--supplier", "tbo", stdout=StringIO())


def _listing_without(fake_tbo, code: str, *keys: str) -> dict:
    """The supplier's hotel list for one hotel, as it would come without some keys."""
    spec = next(h for h in CATALOGUE if h[0] == code)
    record = {k: v for k, v in fake_tbo._hotel(spec).items() if k not in keys}
    return {"Status": {"Code": 200, "Description": "OK"}, "PageNo": 1, "TotalPages": 1,
            "Hotels": [record]}


def test_a_feed_without_a_time_zone_or_photo_keeps_the_hotels_own(client, fake_tbo):
    _sync(client, hotel_codes=["TBO-LIS-1001"])
    Hotel.objects.filter(supplier_code="TBO-LIS-1001").update(timezone="Atlantic/Azores")
    photo = Hotel.objects.get(supplier_code="TBO-LIS-1001").photo_url
    fake_tbo.fail_next("/HotelList", body=_listing_without(fake_tbo, "TBO-LIS-1001",
                                                           "TimeZone", "ImageUrl"))
    report = _sync(client, hotel_codes=["TBO-LIS-1001"])
    assert report.hotels == {"unchanged": 1}
    hotel = Hotel.objects.get(supplier_code="TBO-LIS-1001")
    assert (hotel.timezone, hotel.photo_url) == ("Atlantic/Azores", photo)


def test_a_time_zone_that_is_not_one_fails_that_hotel_with_a_reason(client, fake_tbo):
    body = _listing_without(fake_tbo, "TBO-LIS-1001")
    body["Hotels"][0]["TimeZone"] = "Lisbon time"
    fake_tbo.fail_next("/HotelList", body=body)
    [outcome] = catalogue_sync(supplier=client, hotel_codes=["TBO-LIS-1001"],
                               first_night=FIRST, nights=3)
    assert outcome.status == "failed" and "TimeZone" in outcome.problem
    assert not Hotel.objects.exists()


@pytest.mark.parametrize("rooms", [[None], ["DBL"], [{"RoomTypeCode": "DBL",
                                                       "Nights": [None]}]])
def test_rates_of_the_wrong_shape_fail_that_hotel_and_the_rest_sync(client, fake_tbo, rooms):
    fake_tbo.fail_next("/HotelRates", body={"Status": {"Code": 200, "Description": "OK"},
                                            "Currency": "EUR", "Rooms": rooms})
    report = _sync(client)
    assert report.hotels == {"failed": 1, "created": 4}


def test_an_answer_that_breaks_off_is_tried_again(client, fake_tbo):
    fake_tbo.fail_next("/HotelList", broken=True)
    assert _sync(client, hotel_codes=["TBO-LIS-1001"]).hotels == {"created": 1}
    assert fake_tbo.requests["/HotelList"] == 2


def test_a_supplier_address_that_is_not_a_url_is_named(tbo_client):
    from apps.hotels.suppliers.base import SupplierError

    with pytest.raises(SupplierError, match="TBO_BASE_URL"):
        _sync(tbo_client(base_url="tbo.example.com/api"))
