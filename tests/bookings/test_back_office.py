from apps.bookings.models import Booking
from apps.bookings.services import GuestDetails, booking_confirm, hold_create
from apps.groups.services import membership_grant
from apps.inventory.models import BlockNight
from tests.factories import UserFactory
from tests.hosts import host_client


def _held(block, room_type, stay_dates, key, quantity=1):
    return hold_create(block=block, room_type_id=room_type.pk, check_in=stay_dates[0],
                       check_out=stay_dates[1], quantity=quantity, currency="EUR",
                       idempotency_key=key)


def _signed_in(group, **role):
    """A back-office client for a new member of the group (a planner unless `role=`)."""
    user = UserFactory()
    membership_grant(group=group, user=user, **role)
    client = host_client(group)
    client.force_login(user)
    return client


def _booked(block, room_type, stay_dates, key, quantity=1):
    return booking_confirm(hold=_held(block, room_type, stay_dates, key, quantity),
                           guest=GuestDetails(first_name="Eva", last_name="Lima",
                                              email="eva@example.com"))


def test_planner_lists_and_cancels_bookings_through_the_service(group, block_setup,
                                                                 stay_dates):
    block, double, _ = block_setup
    booking = _booked(block, double, stay_dates, "office", quantity=2)
    client = _signed_in(group)
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
    hold = _held(block, double, stay_dates, "viewer-hold")
    booking = _booked(block, double, stay_dates, "viewer-booking", quantity=1)
    client = _signed_in(group, role=Membership.Role.VIEWER)
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
    booking = _booked(block, double, stay_dates, "history", quantity=1)
    client = _signed_in(group)
    assert client.get(f"/admin/bookings/booking/{booking.pk}/history/").status_code == 404
    page = client.get(f"/admin/bookings/booking/{booking.pk}/change/").content.decode()
    assert "historylink" not in page  # and no link to it
