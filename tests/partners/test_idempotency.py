"""Idempotency-Key: replay, refuse a different request, 409 while the first runs."""

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Hold
from apps.partners.models import IdempotencyRecord

from .conftest import GUEST, hold_body, post

pytestmark = pytest.mark.django_db


def path(group):
    return f"/api/v1/groups/{group.slug}/holds/"


def test_writes_need_a_key(client, group, stay):
    for key in [None, "", "has spaces", "x" * 65]:
        response = post(client, path(group), hold_body(stay), key=key)
        assert response.status_code == 422, key
        assert response.json()["code"] == "idempotency_key_required"
    with tenant_context(group):
        assert not Hold.objects.exists()


def test_a_retry_gets_the_first_response_byte_for_byte(client, group, stay):
    first = post(client, path(group), hold_body(stay), key="same")
    again = post(client, path(group), hold_body(stay), key="same")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    with tenant_context(group):
        assert Hold.objects.count() == 1


def test_key_order_in_the_body_does_not_matter(client, group, stay):
    import json

    body = hold_body(stay)
    first = post(client, path(group), body, key="order")
    reordered = json.dumps(dict(reversed(list(body.items()))))
    again = client.post(path(group), data=reordered, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="order")
    assert again.content == first.content


def test_errors_are_replayed_too(client, group, stay):
    first = post(client, path(group), hold_body(stay, quantity=7), key="sold")
    assert first.json()["code"] == "sold_out"
    again = post(client, path(group), hold_body(stay, quantity=7), key="sold")
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"


def test_same_key_different_body_or_path_is_refused(client, group, stay):
    post(client, path(group), hold_body(stay), key="k")
    other_body = post(client, path(group), hold_body(stay, quantity=2), key="k")
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
    other_path = post(client, f"/api/v1/groups/{group.slug}/bookings/",
                      {"hold": "00000000-0000-0000-0000-000000000000", "guest": GUEST},
                      key="k")
    assert other_path.status_code == 422
    assert other_path.json()["extra"]["path"] == path(group)


def test_keys_belong_to_one_token(client, group, stay, partner):
    from apps.partners.services import api_token_create

    from .conftest import api_client

    post(client, path(group), hold_body(stay), key="shared")
    other = api_token_create(partner=partner, name="two", scopes=["book"], groups=[group])
    response = post(api_client(other.secret), path(group), hold_body(stay), key="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    with tenant_context(group):
        assert Hold.objects.count() == 2


def test_still_running_is_a_409_with_retry_after(client, group, stay, token):
    from apps.partners.api.idempotency import fingerprint

    body = hold_body(stay)
    import json

    IdempotencyRecord.objects.create(
        token=token.token, key="running", method="POST", path=path(group),
        fingerprint=fingerprint("POST", path(group), json.dumps(body).encode()))
    response = post(client, path(group), body, key="running")
    assert response.status_code == 409
    assert response.json()["code"] == "request_in_progress"
    assert response["Retry-After"] == "1"


def test_a_stale_running_record_is_taken_over(client, group, stay, token):
    import json
    from datetime import timedelta

    from django.utils import timezone

    from apps.partners.api.idempotency import fingerprint

    body = hold_body(stay)
    record = IdempotencyRecord.objects.create(
        token=token.token, key="crashed", method="POST", path=path(group),
        fingerprint=fingerprint("POST", path(group), json.dumps(body).encode()))
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        created_at=timezone.now() - timedelta(minutes=5))
    assert post(client, path(group), body, key="crashed").status_code == 201


def test_busy_is_not_stored(client, group, stay, monkeypatch):
    from apps.bookings.services import holds as hold_services
    from apps.partners.api import views

    def busy(**kwargs):
        raise hold_services.busy_error()

    monkeypatch.setattr(views, "hold_create", busy)
    first = post(client, path(group), hold_body(stay), key="busy")
    assert (first.status_code, first.json()["code"]) == (503, "busy")
    assert first["Retry-After"] == "2"
    monkeypatch.undo()
    assert post(client, path(group), hold_body(stay), key="busy").status_code == 201
