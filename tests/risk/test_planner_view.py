from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.groups.services import membership_grant
from tests.factories import UserFactory
from tests.hosts import host_client
from tests.inventory.conftest import ARRIVAL, book, setup  # noqa: F401 (fixture)

from apps.risk.selectors import group_risk_forecast


def scored(booking, score):
    Booking.objects.filter(pk=booking.pk).update(risk_score=score, risk_model_version="v1")


def test_expected_pickup_per_night_weighs_each_booking_by_its_risk(setup):
    with tenant_context(setup.group):
        a = book(setup.block, setup.double, ARRIVAL, 2, quantity=2)      # nights 1-2
        b = book(setup.block, setup.double, ARRIVAL, 3)                  # nights 1-3
        c = book(setup.block, setup.suite, ARRIVAL, 1)                   # night 1, unscored
        book(setup.block, setup.double, ARRIVAL, 1, status=Booking.Status.CANCELLED)
        scored(a, 0.5)
        scored(b, 0.1)
        forecast = group_risk_forecast(group=setup.group)
    block = forecast.blocks[0]
    first, second, third = block.nights
    # unscored c counts at the mean score of a and b: 0.3
    assert (first.booked, round(first.expected, 6)) == (4, round(2 * 0.5 + 0.9 + 0.7, 6))
    assert (second.booked, round(second.expected, 6)) == (3, round(2 * 0.5 + 0.9, 6))
    assert (third.booked, round(third.expected, 6)) == (1, 0.9)
    assert first.allotment == 12
    assert [bk.pk for bk in block.bookings] == [a.pk, b.pk, c.pk]    # riskiest first
    assert [bk.band for bk in block.bookings] == ["medium", "low", "unscored"]
    assert (forecast.scored, forecast.unscored) == (2, 1)


def test_planner_page_shows_risk_per_booking_and_is_for_the_groups_planners(setup):
    with tenant_context(setup.group):
        a = book(setup.block, setup.double, ARRIVAL, 2, guest_last_name="Moreira")
        scored(a, 0.72)
    client = host_client(setup.group)
    client.force_login(setup.planner)
    page = client.get("/admin/risk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Moreira" in html and "72% · high" in html and "Expected to stay" in html
    assert "0.3" in html                                  # 1 room x (1 - 0.72), one decimal
    stranger = UserFactory(username="nobody")
    other = host_client(setup.group)
    other.force_login(stranger)
    assert other.get("/admin/risk/").status_code == 403
    viewer = UserFactory(username="vera")
    membership_grant(group=setup.group, user=viewer, role="viewer")
    seer = host_client(setup.group)
    seer.force_login(viewer)
    assert seer.get("/admin/risk/").status_code == 200
