"""The block pages of the group back office: who may see them, who may change them."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.groups.services import membership_grant
from apps.inventory.models import BlockChange, RoomBlock
from tests.factories import UserFactory
from tests.hosts import host_client

from .conftest import ARRIVAL, book, cells

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
WRITE_PAGES = ["nights-set", "copy-room-type", "copy-night", "shoulder-nights", "release"]


def client_for(setup, user=None):
    client = host_client(setup.group)
    client.force_login(user or setup.planner)
    return client


def block_url(setup, suffix=""):
    return f"/admin/inventory/roomblock/{setup.block.pk}/{suffix}"


def test_the_block_page_shows_grid_pickup_chart_exposure_and_history(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=2, quantity=4)
    page = client_for(setup).get(block_url(setup, "change/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="night-grid"' in html and "4+0/10" in html
    assert "€100.00 / €120.00" in html            # net / sell of the double
    assert "<svg" in html and 'class="bar-booked"' in html
    assert 'id="attrition-owed"' in html and 'id="comps-earned"' in html
    assert "Created block Wedding block" in html
    assert "Release rooms" in html


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_every_write_page_opens_for_a_planner(setup, page):
    response = client_for(setup).get(block_url(setup, f"{page}/"))
    assert response.status_code == 200
    assert b'<form method="post"' in response.content


def test_planner_sets_a_range_through_the_form(setup):
    response = client_for(setup).post(block_url(setup, "nights-set/"), {
        "room_type": setup.twin.pk, "first_night": ARRIVAL, "last_night": ARRIVAL + DAY,
        "allotment": 6, "net_rate": "95.50", "sell_rate": "110"})
    assert response.status_code == 302
    assert response["Location"] == block_url(setup, "change/")
    with tenant_context(setup.group):
        twin = cells(setup.block, setup.twin)
        assert {(r.allotment, r.net_rate_minor, r.sell_rate_minor) for r in twin.values()} == {
            (6, 9550, 11000)}
        assert BlockChange.objects.filter(block=setup.block, action="set_nights").first(
            ).user_name == "marta"


def test_a_refused_release_shows_the_nights_and_changes_nothing(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=1, quantity=9)
    response = client_for(setup).post(block_url(setup, "release/"), {
        "room_type": setup.double.pk, "first_night": ARRIVAL, "last_night": ARRIVAL + DAY,
        "mode": "by", "rooms": 2})
    assert response.status_code == 422
    assert f"{ARRIVAL} Double (new 8, taken 9)" in response.content.decode()
    with tenant_context(setup.group):
        assert cells(setup.block, setup.double)[ARRIVAL].allotment == 10


def test_planner_releases_rooms_through_the_form(setup):
    response = client_for(setup).post(block_url(setup, "release/"), {
        "room_type": "", "first_night": ARRIVAL, "last_night": ARRIVAL + 2 * DAY,
        "mode": "to", "rooms": 1})
    assert response.status_code == 302
    with tenant_context(setup.group):
        assert {r.allotment for r in cells(setup.block, setup.suite).values()} == {1}
        assert BlockChange.objects.filter(block=setup.block, action="release").exists()


def test_viewer_sees_the_block_but_cannot_change_it(setup):
    viewer = UserFactory(username="vera")
    membership_grant(group=setup.group, user=viewer, role="viewer")
    client = client_for(setup, viewer)
    page = client.get(block_url(setup, "change/"))
    assert page.status_code == 200 and b'id="night-grid"' in page.content
    assert b"Release rooms" not in page.content
    for suffix in WRITE_PAGES:
        assert client.get(block_url(setup, f"{suffix}/")).status_code == 403
    refused = client.post(block_url(setup, "release/"), {
        "first_night": ARRIVAL, "last_night": ARRIVAL, "mode": "to", "rooms": 0})
    assert refused.status_code == 403
    assert client.get(block_url(setup, "rooming-list/")).status_code == 200
    with tenant_context(setup.group):
        assert cells(setup.block, setup.double)[ARRIVAL].allotment == 10


def test_someone_outside_the_group_gets_nothing(setup):
    stranger = UserFactory(username="stranger")
    client = client_for(setup, stranger)
    for suffix in ["change/", "nights-set/", "release/", "rooming-list/"]:
        assert client.get(block_url(setup, suffix)).status_code == 403
    assert client.get("/admin/inventory/roomblock/pickup/").status_code == 403
    assert client.post(block_url(setup, "release/"), {
        "first_night": ARRIVAL, "last_night": ARRIVAL, "mode": "to", "rooms": 0}
    ).status_code == 403


def test_pickup_page_and_back_office_home_summarise_every_block(setup):
    with tenant_context(setup.group):
        book(setup.block, setup.double, ARRIVAL, nights=3, quantity=3)
    client = client_for(setup)
    for url in ["/admin/inventory/roomblock/pickup/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="pickup-summary"' in html and "Wedding block" in html
        assert "25.0%" in html                       # 9 of 36 room nights


def test_creating_and_editing_a_block_in_the_admin_is_audited(setup):
    client = client_for(setup)
    arrival = date.today() + timedelta(days=100)
    created = client.post("/admin/inventory/roomblock/add/", {
        "hotel": setup.double.hotel_id, "name": "Congress block", "status": "tentative",
        "arrival": arrival, "departure": arrival + 2 * DAY,
        "shoulder_nights_before": 0, "shoulder_nights_after": 0,
        "cutoff_date": arrival - 20 * DAY, "attrition_percent": "20",
        "attrition_mode": "cumulative", "damages_percent": "80", "comp_per_paid_nights": 40,
        "payment_mode": "pay_at_hotel", "free_cancellation_days": 14, "hold_minutes": 10})
    assert created.status_code == 302
    with tenant_context(setup.group):
        block = RoomBlock.objects.get(name="Congress block")
        assert block.changes.get().action == "create"
    edited = client.post(f"/admin/inventory/roomblock/{block.pk}/change/", {
        "name": "Congress block", "status": "closed", "cutoff_date": arrival - 10 * DAY,
        "attrition_percent": "15", "attrition_mode": "per_night", "damages_percent": "80",
        "comp_per_paid_nights": 40, "payment_mode": "pay_at_hotel",
        "free_cancellation_days": 14, "hold_minutes": 10})
    assert edited.status_code == 302
    with tenant_context(setup.group):
        change = block.changes.get(action="update_terms")
        assert "status" not in change.after  # read-only on the form: moves by action only
        assert RoomBlock.objects.get(pk=block.pk).status == "tentative"
        assert change.after["attrition_mode"] == "per_night"
        assert "name" not in change.after


def test_a_cutoff_after_arrival_is_a_form_error(setup):
    response = client_for(setup).post(block_url(setup, "change/"), {
        "name": "Wedding block", "status": "tentative", "cutoff_date": ARRIVAL + DAY,
        "attrition_percent": "20", "attrition_mode": "cumulative", "damages_percent": "80",
        "comp_per_paid_nights": 40, "payment_mode": "pay_at_hotel",
        "free_cancellation_days": 14, "hold_minutes": 10})
    assert response.status_code == 200
    assert b"The cutoff date must be on or before arrival." in response.content


def test_rooming_list_csv(setup):
    with tenant_context(setup.group):
        ana = book(setup.block, setup.double, ARRIVAL, nights=2, quantity=1,
                   guest_first_name="Ana", guest_last_name="Souza", guest_phone="+351 912 345 678",
                   sharers="Rui Souza", special_requests="=HYPERLINK(\"x\") late arrival")
        book(setup.block, setup.suite, ARRIVAL, nights=3, quantity=2, guest_first_name="Bia",
             guest_last_name="Costa", guest_email="bia@example.com")
        book(setup.block, setup.double, ARRIVAL, nights=1, guest_last_name="Abreu",
             status=Booking.Status.CANCELLED)
    response = client_for(setup).get(block_url(setup, "rooming-list/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="rooming-list-{setup.group.slug}-wedding-block-'
        f'{timezone.localdate():%Y%m%d}.csv"')
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # Excel then reads it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["Confirmation number", "Last name", "First name", "Arrival", "Departure",
                       "Nights", "Room type", "Rooms", "Sharers", "Special requests", "Email",
                       "Phone", "Status"]
    assert [row[1] for row in rows[1:]] == ["Costa", "Souza"]
    assert rows[2] == [ana.reference, "Souza", "Ana", str(ARRIVAL), str(ARRIVAL + 2 * DAY), "2",
                       "Double", "1", "Rui Souza", "'=HYPERLINK(\"x\") late arrival",
                       "ana@example.com", "+351 912 345 678", "Confirmed"]
    assert rows[1][5:8] == ["3", "Suite", "2"]


def test_status_moves_forward_through_audited_actions(setup):
    client = client_for(setup)
    changelist = "/admin/inventory/roomblock/"
    response = client.post(changelist, {"action": "mark_definite",
                                        "_selected_action": [setup.block.pk]}, follow=True)
    assert b"is now definite" in response.content
    response = client.post(changelist, {"action": "mark_closed",
                                         "_selected_action": [setup.block.pk]}, follow=True)
    assert b"is now closed" in response.content
    refused = client.post(changelist, {"action": "mark_released",
                                       "_selected_action": [setup.block.pk]}, follow=True)
    assert b"A closed block cannot become released to the hotel; it is final." in (
        refused.content)
    with tenant_context(setup.group):
        block = RoomBlock.objects.get(pk=setup.block.pk)
        assert block.status == "closed"
        moves = [(c.before["status"], c.after["status"])
                 for c in block.changes.filter(action="status").order_by("pk")]
        assert moves == [("tentative", "definite"), ("definite", "closed")]
        assert block.changes.filter(action="status").first().user_name == (
            setup.planner.get_username())


def test_a_viewer_cannot_move_a_block(setup):
    viewer = UserFactory()
    membership_grant(group=setup.group, user=viewer, role="viewer")
    client_for(setup, viewer).post("/admin/inventory/roomblock/", {
        "action": "mark_definite", "_selected_action": [setup.block.pk]})
    with tenant_context(setup.group):
        assert RoomBlock.objects.get(pk=setup.block.pk).status == "tentative"


@pytest.mark.parametrize("field, value", [("allotment", 3_000_000_000),
                                          ("sell_rate", "30000000"),  # EUR: 3 billion cents
                                          ("last_night", "9999-12-31")])
def test_numbers_and_nights_out_of_reach_are_form_errors_not_a_crash(setup, field, value):
    data = {"room_type": setup.twin.pk, "first_night": ARRIVAL, "last_night": ARRIVAL + DAY,
            "allotment": 6, "net_rate": "95.50", "sell_rate": "110", field: value}
    response = client_for(setup).post(block_url(setup, "nights-set/"), data)
    assert response.status_code in (200, 422)
    assert b'<form method="post"' in response.content  # the form again, with the reason
    with tenant_context(setup.group):
        assert not cells(setup.block, setup.twin)


def test_a_dong_rate_in_the_millions_is_an_ordinary_rate(setup):
    from apps.inventory.forms import NightsSetForm

    data = {"room_type": setup.twin.pk, "first_night": ARRIVAL, "last_night": ARRIVAL + DAY,
            "allotment": 6, "net_rate": "2200000", "sell_rate": "2500000"}
    with tenant_context(setup.group):
        form = NightsSetForm(data, block=setup.block, currency="VND")
        assert form.is_valid(), form.errors
        assert form.cleaned_data["sell_rate_minor"] == 2_500_000
        too_much = NightsSetForm({**data, "sell_rate": "3000000000"}, block=setup.block,
                                 currency="VND")
        assert not too_much.is_valid() and "sell_rate" in too_much.errors
