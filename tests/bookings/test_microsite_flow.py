"""The guest's flow through the microsite, with Django's test client on the group host."""

from datetime import timedelta

from django.core import mail

from apps.bookings.models import Booking, Hold
from apps.inventory.models import BlockNight
from tests.hosts import host_client


def _stay_post(block, room_type, check_in, check_out, quantity=1, key="k1"):
    return {"room_type": room_type.pk, "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(), "quantity": quantity, "request_key": key}


GUEST = {"first_name": "Ana", "last_name": "Costa", "email": "ana@example.com",
         "phone": "+351 900 000 000", "sharers": "Rui", "special_requests": "Quiet room"}


def _held(group, block_setup, stay_dates, key, quantity=1):
    """A guest's client with a hold on the double room: (client, the hold page's URL)."""
    block, double, _ = block_setup
    client = host_client(group)
    response = client.post(f"/stay/{block.pk}/", _stay_post(block, double, *stay_dates,
                                                            quantity=quantity, key=key))
    return client, response["Location"]


def test_whole_flow_from_home_page_to_cancellation(group, block_setup, stay_dates,
                                                   django_capture_on_commit_callbacks):
    block, double, suite = block_setup
    client = host_client(group)
    home = client.get("/").content.decode()
    assert f"/stay/{block.pk}/" in home

    page = client.get(f"/stay/{block.pk}/").content.decode()
    assert "Rooms left each night" in page and "Sold out" not in page
    assert "Hold these rooms" in page

    response = client.post(f"/stay/{block.pk}/", _stay_post(block, double, *stay_dates,
                                                            quantity=2))
    assert response.status_code == 302
    hold = Hold.objects.get()
    assert response["Location"] == f"/hold/{hold.public_id}/"
    # a double submit of the same form returns the same hold
    again = client.post(f"/stay/{block.pk}/", _stay_post(block, double, *stay_dates,
                                                         quantity=2))
    assert again["Location"] == response["Location"] and Hold.objects.count() == 1

    held = client.get(response["Location"]).content.decode()
    assert "Your rooms are held" in held and "seconds" in held

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(response["Location"], GUEST)
    booking = Booking.objects.get()
    assert confirmed["Location"] == f"/manage/{booking.manage_token}/"
    assert client.post(response["Location"], GUEST)["Location"] == confirmed["Location"]
    assert Booking.objects.count() == 1
    assert len(mail.outbox) == 1

    manage = client.get(confirmed["Location"]).content.decode()
    assert booking.reference in manage and "re booked" in manage

    not_confirmed = client.post(f"/manage/{booking.manage_token}/cancel/", {})
    assert not_confirmed.status_code == 302
    assert Booking.objects.get().status == "confirmed"
    client.post(f"/manage/{booking.manage_token}/cancel/", {"confirm": "yes"})
    assert Booking.objects.get().status == "cancelled"
    assert "is cancelled" in client.get(confirmed["Location"]).content.decode()


def test_sold_out_nights_are_shown_and_explained(group, block_setup, stay_dates):
    block, _, suite = block_setup
    client = host_client(group)
    client.post(f"/stay/{block.pk}/", _stay_post(block, suite, *stay_dates, quantity=2,
                                                 key="a"))
    page = client.get(f"/stay/{block.pk}/").content.decode()
    assert page.count("Sold out") == 3
    response = client.post(f"/stay/{block.pk}/", _stay_post(block, suite, *stay_dates,
                                                            key="b"))
    assert response.status_code == 200
    assert "not enough rooms left" in response.content.decode()


def test_bad_form_input_is_explained_not_crashed(group, block_setup, stay_dates):
    block, double, _ = block_setup
    client = host_client(group)
    arrival, departure = stay_dates
    response = client.post(f"/stay/{block.pk}/", _stay_post(block, double, departure,
                                                            arrival))
    assert response.status_code == 200
    assert "Check-out must be after check-in" in response.content.decode()
    response = client.post(f"/stay/{block.pk}/", {"request_key": "x"})
    assert "Choose a room type" in response.content.decode()
    for room_type, said in [(10 ** 6, "not offered in this block"),
                            (10 ** 30, "Choose a room type"), ("double", "Choose a room type")]:
        response = client.post(f"/stay/{block.pk}/", {
            **_stay_post(block, double, *stay_dates), "room_type": room_type})
        page = response.content.decode()
        assert response.status_code == 200
        assert said in page
        assert f'value="{double.pk}"' in page  # the choices are offered again
    assert not Hold.objects.exists()


def test_change_keeps_old_rooms_when_new_ones_are_gone(group, block_setup, stay_dates):
    _, double, suite = block_setup
    client, hold_url = _held(group, block_setup, stay_dates, "c")
    manage_url = client.post(hold_url, GUEST)["Location"]
    booking = Booking.objects.get()
    response = client.post(f"{manage_url}change/", {
        "room_type": suite.pk, "check_in": stay_dates[0].isoformat(),
        "check_out": stay_dates[1].isoformat(), "quantity": 3}, follow=True)
    assert "Your booking is unchanged" in response.content.decode()
    booking.refresh_from_db()
    assert booking.room_type == double
    response = client.post(f"{manage_url}change/", {
        "room_type": suite.pk, "check_in": (stay_dates[0] + timedelta(days=1)).isoformat(),
        "check_out": stay_dates[1].isoformat(), "quantity": 1}, follow=True)
    assert "Your booking is changed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.room_type == suite and booking.nights == 2
    assert list(BlockNight.objects.filter(room_type=double).values_list("booked", flat=True)) \
        == [0, 0, 0]


def test_start_over_gives_the_rooms_back(group, block_setup, stay_dates):
    double = block_setup[1]
    client, hold_url = _held(group, block_setup, stay_dates, "d", quantity=3)
    client.post(f"{hold_url}start-over/")
    assert Hold.objects.get().status == "released"
    assert set(BlockNight.objects.filter(room_type=double).values_list("held", flat=True)) \
        == {0}


def test_unknown_manage_link_is_404(group, block_setup):
    assert host_client(group).get("/manage/not-a-token/").status_code == 404


def test_the_stay_page_says_how_long_rooms_are_kept(group, block_setup):
    block, _, _ = block_setup
    page = host_client(group).get(f"/stay/{block.pk}/").content.decode()
    assert f"We keep the rooms for you for {block.hold_minutes} minutes" in page


def test_tampered_or_oversized_input_is_explained_not_crashed(group, block_setup, stay_dates):
    block, double, _ = block_setup
    client = host_client(group)
    response = client.post(f"/stay/{block.pk}/", _stay_post(block, double, *stay_dates,
                                                            key="k" * 200))
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()
    assert not Hold.objects.exists()
    client, hold_url = _held(group, block_setup, stay_dates, "e")
    response = client.post(hold_url, {**GUEST, "email": "a" * 250 + "@example.com"})
    assert response.status_code == 200
    assert not Booking.objects.exists()


def test_a_released_hold_offers_only_to_choose_again(group, block_setup, stay_dates):
    client, hold_url = _held(group, block_setup, stay_dates, "f")
    client.post(f"{hold_url}start-over/")
    page = client.get(hold_url).content.decode()
    assert "You gave these rooms back" in page
    assert "Confirm booking" not in page and "try to confirm" not in page


def test_start_over_from_a_stale_page_after_booking_keeps_the_booking(group, block_setup,
                                                                      stay_dates):
    client, hold_url = _held(group, block_setup, stay_dates, "g")
    manage_url = client.post(hold_url, GUEST)["Location"]
    response = client.post(f"{hold_url}start-over/", follow=True)
    assert response.redirect_chain[-1][0] == manage_url
    assert "already booked for you" in response.content.decode()
    assert Booking.objects.get().status == "confirmed"


def test_saving_the_change_form_unchanged_changes_nothing(group, block_setup, stay_dates):
    double = block_setup[1]
    client, hold_url = _held(group, block_setup, stay_dates, "h")
    manage_url = client.post(hold_url, GUEST)["Location"]
    booking = Booking.objects.get()
    BlockNight.objects.filter(room_type=double).update(sell_rate_minor=99999)  # rates moved
    mail.outbox.clear()
    response = client.post(f"{manage_url}change/", {
        "room_type": double.pk, "check_in": stay_dates[0].isoformat(),
        "check_out": stay_dates[1].isoformat(), "quantity": 1}, follow=True)
    assert "Nothing to change" in response.content.decode()
    assert Booking.objects.get().total_minor == booking.total_minor
    assert not mail.outbox
