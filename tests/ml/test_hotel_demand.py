import csv
from pathlib import Path

import pytest

from ml.hotel_demand import LEAKING, load

from .conftest import SAMPLE

HEADER = ("hotel,is_canceled,lead_time,arrival_date_year,arrival_date_month,"
          "arrival_date_week_number,arrival_date_day_of_month,stays_in_weekend_nights,"
          "stays_in_week_nights,adults,children,babies,meal,country,market_segment,"
          "distribution_channel,is_repeated_guest,previous_cancellations,"
          "previous_bookings_not_canceled,reserved_room_type,assigned_room_type,"
          "booking_changes,deposit_type,agent,company,days_in_waiting_list,customer_type,adr,"
          "required_car_parking_spaces,total_of_special_requests,reservation_status,"
          "reservation_status_date")
ROW = ("Resort Hotel,1,85,2015,July,27,1,1,2,2,1,0,HB,GBR,Online TA,TA/TO,0,1,0,A,{assigned},"
       "{changes},Non Refund,240,NULL,{waiting},Transient,98.5,0,2,{status},{status_date}")


def write(tmp_path: Path, **leaky) -> Path:
    values = dict(assigned="A", changes=0, waiting=0, status="Canceled", status_date="5/1/2015")
    values.update(leaky)
    path = tmp_path / "bookings.csv"
    path.write_text(HEADER + "\n" + ROW.format(**values) + "\n"
                    + ROW.format(**values).replace("98.5", "120") + "\n")
    return path


def test_columns_map_onto_apt1_features(tmp_path):
    data = load(write(tmp_path))
    r = data.records[0]
    assert r["lead_time_days"] == 85 and r["nights"] == 3 and r["weekend_nights"] == 1
    assert r["children"] == 1 and r["deposit_level"] == 2 and r["previous_cancellations"] == 1
    assert r["foreign_guest"] == 1 and r["has_agent"] == 1 and r["has_company"] == 0
    assert r["channel"] == "agent" and r["segment"] == "online_ta" and r["meal"] == "hb"
    assert r["special_requests"] == 2 and r["property"] == "resort"
    assert r["rate_ratio"] == pytest.approx(98.5 / ((98.5 + 120) / 2))
    assert list(data.cancelled) == [1, 1]


def test_leaking_columns_never_reach_the_features(tmp_path):
    plain = load(write(tmp_path)).records
    leaky = load(write(tmp_path, assigned="K", changes=7, waiting=40, status="Check-Out",
                       status_date="9/9/2016")).records
    assert plain == leaky
    assert set(LEAKING) == {"reservation_status", "reservation_status_date",
                            "assigned_room_type", "booking_changes", "days_in_waiting_list"}


def test_other_layouts_are_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not in the hotel booking demand layout"):
        load(path)


def test_the_real_sample_loads():
    data = load(SAMPLE)
    assert len(data) == 14_938
    assert 0.5 < data.cancel_rate < 0.56
    with open(SAMPLE) as handle:
        assert len(next(csv.reader(handle))) == 32


def test_weekend_nights_are_counted_as_serving_counts_them(tmp_path):
    # Saturday 4 July 2015, two nights: the data set says 2 weekend nights (Saturday and
    # Sunday); APT-1 counts Friday and Saturday nights everywhere, so 1.
    row = ROW.format(assigned="A", changes=0, waiting=0, status="Canceled",
                     status_date="5/1/2015").replace("July,27,1,1,2,", "July,27,4,2,0,")
    path = tmp_path / "weekend.csv"
    path.write_text(HEADER + "\n" + row + "\n")
    [record] = load(path).records
    assert record["nights"] == 2 and record["weekend_nights"] == 1
