"""Holds and bookings through the API: the same services as the microsite."""

import json
from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking, Hold
from apps.inventory.models import BlockNight

from .conftest import GUEST, hold_body, post

pytestmark = pytest.mark.django_db


def holds_path(group):
    return f"/api/v1/groups/{group.slug}/holds/"


def bookings_path(group):
    return f"/api/v1/groups/{group.slug}/bookings/"


def test_hold_then_confirm_then_read(client, group, stay):
    block, double, _, arrival = stay
    response = post(client, holds_path(group), hold_body(stay, quantity=2), key="h1")
    assert response.status_code == 201, response.json()
    hold = response.json()
    assert hold["status"] == "active" and hold["quantity"] == 2 and hold["nights"] == 2
    assert "risk_score" in hold
    # 2 rooms x 2 nights x 120.00, +10% tax, + 1.50 fee per room-night
    assert hold["total"] == {"amount_minor": 2 * 2 * 12000 * 110 // 100 + 2 * 2 * 150,
                             "currency": "EUR"}
    with tenant_context(group):
        assert Hold.objects.get(public_id=hold["id"]).channel == "api"
        assert BlockNight.objects.get(block=block, room_type=double, night=arrival).held == 2
    assert client.get(f"{holds_path(group)}{hold['id']}/").json()["status"] == "active"

    response = post(client, bookings_path(group), {"hold": hold["id"], "guest": GUEST},
                    key="c1")
    assert response.status_code == 201, response.json()
    booking = response.json()
    assert booking["status"] == "confirmed" and booking["hold"] == hold["id"]
    assert booking["guest"]["last_name"] == "Lovelace"
    assert booking["total"] == hold["total"]
    assert client.get(f"{holds_path(group)}{hold['id']}/").json()["booking"] == \
        booking["reference"]
    with tenant_context(group):
        night = BlockNight.objects.get(block=block, room_type=double, night=arrival)
        assert (night.held, night.booked) == (0, 2)


def test_sold_out_is_a_409_with_the_nights(client, group, stay):
    response = post(client, holds_path(group), hold_body(stay, quantity=6), key="big")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "sold_out" and len(body["extra"]["nights"]) == 2


@pytest.mark.parametrize("change, status, code", [
    ({"quantity": 0}, 400, "validation_error"),
    ({"check_in": "not-a-date"}, 400, "validation_error"),
    ({"block": 999999}, 404, "not_found"),
    ({"room_type": 999999}, 422, "room_type_not_offered"),
    ({"room_type": 2 ** 63}, 400, "validation_error"),
    ({"check_in": "2001-01-01", "check_out": "2001-01-03"}, 422, "validation_error"),
])
def test_invalid_holds(client, group, stay, change, status, code):
    response = post(client, holds_path(group), {**hold_body(stay), **change})
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code


def test_stay_outside_the_block(client, group, stay):
    body = hold_body(stay)
    body["check_out"] = (stay[3] + timedelta(days=10)).isoformat()
    response = post(client, holds_path(group), body)
    assert (response.status_code, response.json()["code"]) == (422, "stay_outside_block")


def test_release_a_hold(client, group, stay):
    hold = post(client, holds_path(group), hold_body(stay), key="r1").json()
    response = client.delete(f"{holds_path(group)}{hold['id']}/", HTTP_IDEMPOTENCY_KEY="r2")
    assert response.status_code == 200 and response.json()["status"] == "released"
    confirm = post(client, bookings_path(group), {"hold": hold["id"], "guest": GUEST},
                   key="r3")
    assert (confirm.status_code, confirm.json()["code"]) == (409, "hold_released")


def test_confirming_an_expired_and_taken_hold(client, group, stay):
    from django.utils import timezone

    from apps.bookings.services import holds_expire

    hold = post(client, holds_path(group), hold_body(stay, quantity=5), key="e1").json()
    with tenant_context(group):
        Hold.objects.filter(public_id=hold["id"]).update(
            expires_at=timezone.now() - timedelta(minutes=1))
        holds_expire()
    assert post(client, holds_path(group), hold_body(stay, quantity=5), key="e2"
                ).status_code == 201
    response = post(client, bookings_path(group), {"hold": hold["id"], "guest": GUEST},
                    key="e3")
    assert (response.status_code, response.json()["code"]) == (409, "hold_expired")


def test_confirm_needs_guest_details(client, group, stay):
    hold = post(client, holds_path(group), hold_body(stay), key="g1").json()
    response = post(client, bookings_path(group),
                    {"hold": hold["id"], "guest": {"first_name": "A"}}, key="g2")
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]["guest"]) == {"last_name", "email"}


def confirmed(client, group, stay, **kw):
    hold = post(client, holds_path(group), hold_body(stay, **kw), key="m-hold").json()
    return post(client, bookings_path(group), {"hold": hold["id"], "guest": GUEST},
                key="m-confirm").json()


def test_modify_a_booking(client, group, stay):
    block, double, suite, arrival = stay
    booking = confirmed(client, group, stay)
    path = f"{bookings_path(group)}{booking['reference']}/"
    response = client.patch(path, data=json.dumps({"room_type": suite.pk, "quantity": 2}),
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="m1")
    assert response.status_code == 200, response.json()
    changed = response.json()
    assert changed["room_type"]["code"] == "STE" and changed["quantity"] == 2
    assert changed["check_in"] == booking["check_in"]
    assert changed["total"]["amount_minor"] > booking["total"]["amount_minor"]
    too_many = client.patch(path, data=json.dumps({"quantity": 3}),
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="m2")
    assert (too_many.status_code, too_many.json()["code"]) == (409, "sold_out")
    assert client.get(path).json()["quantity"] == 2  # unchanged


def test_cancel_a_booking(client, group, stay):
    booking = confirmed(client, group, stay)
    path = f"{bookings_path(group)}{booking['reference']}/"
    response = post(client, f"{path}cancellation/", key="x1")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["cancelled_at"]
    with tenant_context(group):
        assert Booking.objects.get(reference=booking["reference"]).cancelled_by == "partner"
    again = post(client, f"{path}cancellation/", key="x2")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"
    modify = client.patch(path, data=json.dumps({"quantity": 1}),
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="x3")
    assert (modify.status_code, modify.json()["code"]) == (409, "booking_cancelled")


def test_a_patch_that_changes_nothing_leaves_the_booking_alone(client, group, stay):
    booking = confirmed(client, group, stay)
    path = f"{bookings_path(group)}{booking['reference']}/"
    response = client.patch(path, data=json.dumps({"quantity": booking["quantity"]}),
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 200
    assert response.json()["updated_at"] == booking["updated_at"]


def test_only_json_is_accepted(client, group, stay):
    response = client.post(holds_path(group), data=hold_body(stay), HTTP_IDEMPOTENCY_KEY="f1")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    broken = client.post(holds_path(group), data="{not json", content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY="f2")
    assert (broken.status_code, broken.json()["code"]) == (400, "parse_error")
