from apps.bookings.models import Booking
from apps.bookings.services import GuestDetails, booking_confirm, hold_create
from apps.groups.services import membership_grant
from apps.inventory.models import BlockNight
from tests.factories import UserFactory
from tests.hosts import host_client


def test_planner_lists_and_cancels_bookings_through_the_service(group, block_setup,
                                                                 stay_dates):
    block, double, _ = block_setup
    booking = booking_confirm(
        hold=hold_create(block=block, room_type_id=double.pk, check_in=stay_dates[0],
                         check_out=stay_dates[1], quantity=2, currency="EUR",
                         idempotency_key="office"),
        guest=GuestDetails(first_name="Eva", last_name="Lima", email="eva@example.com"))
    planner = UserFactory()
    membership_grant(group=group, user=planner)
    client = host_client(group)
    client.force_login(planner)
    listing = client.get("/admin/bookings/booking/").content.decode()
    assert booking.reference in listing and "Lima" in listing
    response = client.post("/admin/bookings/booking/", {
        "action": "cancel_bookings", "_selected_action": [booking.pk]}, follow=True)
    assert f"{booking.reference} cancelled." in response.content.decode()
    assert Booking.objects.get().status == "cancelled"
    assert set(BlockNight.objects.filter(room_type=double).values_list("booked", flat=True)) \
        == {0}


def test_a_viewer_can_look_but_cannot_cancel_bookings_or_release_holds(group, block_setup,
                                                                       stay_dates):
    from apps.bookings.models import Hold
    from apps.groups.models import Membership

    block, double, _ = block_setup
    hold = hold_create(block=block, room_type_id=double.pk, check_in=stay_dates[0],
                       check_out=stay_dates[1], quantity=1, currency="EUR",
                       idempotency_key="viewer-hold")
    booking = booking_confirm(
        hold=hold_create(block=block, room_type_id=double.pk, check_in=stay_dates[0],
                         check_out=stay_dates[1], quantity=1, currency="EUR",
                         idempotency_key="viewer-booking"),
        guest=GuestDetails(first_name="Eva", last_name="Lima", email="eva@example.com"))
    viewer = UserFactory()
    membership_grant(group=group, user=viewer, role=Membership.Role.VIEWER)
    client = host_client(group)
    client.force_login(viewer)
    listing = client.get("/admin/bookings/booking/").content.decode()
    assert booking.reference in listing and "cancel_bookings" not in listing
    client.post("/admin/bookings/booking/", {"action": "cancel_bookings",
                                             "_selected_action": [booking.pk]})
    client.post("/admin/bookings/hold/", {"action": "release_holds",
                                          "_selected_action": [hold.pk]})
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"
    assert Hold.objects.get(pk=hold.pk).status == "active"


def test_the_back_office_shows_no_change_history_shared_across_groups(group, block_setup,
                                                                      stay_dates):
    block, double, _ = block_setup
    booking = booking_confirm(
        hold=hold_create(block=block, room_type_id=double.pk, check_in=stay_dates[0],
                         check_out=stay_dates[1], quantity=1, currency="EUR",
                         idempotency_key="history"),
        guest=GuestDetails(first_name="Eva", last_name="Lima", email="eva@example.com"))
    planner = UserFactory()
    membership_grant(group=group, user=planner)
    client = host_client(group)
    client.force_login(planner)
    assert client.get(f"/admin/bookings/booking/{booking.pk}/history/").status_code == 404
    page = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert "historylink" not in page  # and no link to it
