"""Signed webhooks: recorded after commit, sent with backoff for more than a day,
visible to the planner and replayable."""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.bookings import events
from apps.bookings.models import Hold
from apps.bookings.services import holds_expire
from apps.partners.models import Partner, WebhookDelivery
from apps.partners.receiver import WebhookReceiver
from apps.partners.services import (api_token_create, deliveries_send_due, delivery_replay,
                                    webhook_endpoint_create)
from apps.partners.services.webhooks import (MAX_ATTEMPTS, retry_schedule, sign,
                                             signature_valid)

from .conftest import GUEST, hold_body, post

pytestmark = pytest.mark.django_db

SECRET = "whsec_test"


@pytest.fixture
def receiver():
    with WebhookReceiver(secret=SECRET) as running:
        yield running


@pytest.fixture
def endpoint(partner, receiver):
    return webhook_endpoint_create(partner=partner, url=receiver.url, secret=SECRET)


@pytest.fixture
def committed(group, django_capture_on_commit_callbacks):
    """Run what a request left for after commit, as a real commit would: in its group."""

    @contextmanager
    def capture():
        with django_capture_on_commit_callbacks() as got:
            yield got
        with tenant_context(group):  # the test client's request ends in the public schema
            for callback in got:
                callback()

    return capture


def confirm(client, group, stay, capture):
    with capture():
        hold = post(client, f"/api/v1/groups/{group.slug}/holds/", hold_body(stay),
                    key="w-hold").json()
    with capture():
        return post(client, f"/api/v1/groups/{group.slug}/bookings/",
                    {"hold": hold["id"], "guest": GUEST}, key="w-confirm").json()


def test_signature_scheme():
    header = sign("key", '{"a":1}', 1700000000)
    assert header == ("t=1700000000,v1=" + __import__("hmac").new(
        b"key", b'1700000000.{"a":1}', "sha256").hexdigest())
    assert signature_valid("key", '{"a":1}', header, now=1700000100)
    assert not signature_valid("key", '{"a":2}', header, now=1700000100)
    assert not signature_valid("other", '{"a":1}', header, now=1700000100)
    assert not signature_valid("key", '{"a":1}', header, now=1700009999)  # too old


def test_booking_confirmed_is_signed_and_sent(client, group, stay, endpoint, receiver,
                                              committed):
    stranger = Partner.objects.create(name="Stranger", slug="stranger")
    webhook_endpoint_create(partner=stranger, url=receiver.url)  # reaches nothing
    booking = confirm(client, group, stay, committed)
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.event_type, delivery.status) == (
        endpoint, "booking.confirmed", "pending")
    sent = deliveries_send_due()
    assert [d.status for d in sent] == ["delivered"]
    (got,) = receiver.received
    assert got.signature_ok
    assert got.headers["Ancile-Event"] == "booking.confirmed"
    event = got.event
    assert event["type"] == "booking.confirmed" and event["group"] == group.slug
    assert event["id"] == str(delivery.event_id)
    assert event["data"] == booking  # exactly what the API shows
    assert deliveries_send_due() == []  # nothing twice


def test_modified_cancelled_and_expired_events(client, group, stay, endpoint,
                                               committed):
    booking = confirm(client, group, stay, committed)
    path = f"/api/v1/groups/{group.slug}/bookings/{booking['reference']}/"
    with committed():
        client.patch(path, data=json.dumps({"quantity": 2}), content_type="application/json",
                     HTTP_IDEMPOTENCY_KEY="w-mod")
    with committed():
        post(client, f"{path}cancellation/", key="w-cancel")
    with committed():
        lapsed = post(client, f"/api/v1/groups/{group.slug}/holds/", hold_body(stay),
                      key="w-lapse").json()
    with tenant_context(group):
        Hold.objects.filter(public_id=lapsed["id"]).update(
            expires_at=timezone.now() - timedelta(seconds=1))
        with committed():
            assert holds_expire() == 1
    types = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert types == ["booking.confirmed", "booking.modified", "booking.cancelled",
                     "hold.expired"]
    expired = json.loads(WebhookDelivery.objects.get(event_type="hold.expired").body)
    assert expired["data"]["id"] == lapsed["id"] and expired["data"]["status"] == "expired"
    modified = json.loads(WebhookDelivery.objects.get(event_type="booking.modified").body)
    assert modified["data"]["quantity"] == 2


def lapsed_hold(client, group, stay, capture, *, key):
    """A one-room hold whose time ran out a second ago, not yet swept."""
    with capture():
        lapsed = post(client, f"/api/v1/groups/{group.slug}/holds/",
                      hold_body(stay, quantity=1), key=key).json()
    with tenant_context(group):
        Hold.objects.filter(public_id=lapsed["id"]).update(
            expires_at=timezone.now() - timedelta(seconds=1))
    return lapsed


def test_nothing_is_sent_for_a_rolled_back_write(client, group, stay, endpoint,
                                                 committed):
    """A change that swept a lapsed hold on its way, then found too few rooms, rolls back
    whole: neither hold.expired nor booking.modified is sent."""
    booking = confirm(client, group, stay, committed)
    lapsed = lapsed_hold(client, group, stay, committed, key="rb1")
    path = f"/api/v1/groups/{group.slug}/bookings/{booking['reference']}/"
    with committed() as callbacks:
        response = client.patch(path, data=json.dumps({"quantity": 6}),
                                content_type="application/json", HTTP_IDEMPOTENCY_KEY="rb2")
    assert response.json()["code"] == "sold_out"  # 5 rooms a night
    with tenant_context(group):
        assert Hold.objects.get(public_id=lapsed["id"]).status == Hold.Status.ACTIVE
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "booking.confirmed"]
    assert not any("hold.expired" in repr(c) for c in callbacks)


def test_a_sold_out_hold_still_releases_lapsed_holds(client, group, stay, endpoint,
                                                     committed):
    """Rooms short: lapsed holds are swept (and announced) before the guest is told."""
    lapsed = lapsed_hold(client, group, stay, committed, key="sw1")
    with committed():
        response = post(client, f"/api/v1/groups/{group.slug}/holds/",
                        hold_body(stay, quantity=9), key="sw2")
    assert response.json()["code"] == "sold_out"
    with tenant_context(group):
        assert Hold.objects.get(public_id=lapsed["id"]).status == Hold.Status.EXPIRED
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "hold.expired"]


def test_retries_back_off_for_more_than_a_day_then_give_up(group, stay, endpoint,
                                                           receiver):
    assert retry_schedule() > timedelta(days=1)
    receiver.fail_next = 10 ** 6
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                              group_slug=group.slug, body="{}",
                                              next_attempt_at=timezone.now())
    now = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (sent,) = deliveries_send_due(now=now)
        assert sent.attempts == attempt and sent.last_status_code == 500
        if sent.next_attempt_at:
            waits.append(sent.next_attempt_at - sent.last_attempt_at)
            assert deliveries_send_due(now=sent.next_attempt_at - timedelta(seconds=1)) == []
            now = sent.next_attempt_at
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == MAX_ATTEMPTS
    assert [round(w.total_seconds()) for w in waits[:3]] == [30, 60, 120]
    assert max(waits) == timedelta(hours=6)
    assert sum(waits, timedelta()) > timedelta(days=1)


def test_a_failure_then_success(group, stay, endpoint, receiver):
    receiver.fail_next = 1
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                   group_slug=group.slug, body='{"x":1}',
                                   next_attempt_at=timezone.now())
    (first,) = deliveries_send_due()
    assert first.status == "pending" and first.last_error == "HTTP 500"
    (second,) = deliveries_send_due(now=first.next_attempt_at)
    assert second.status == "delivered" and second.attempts == 2
    assert [r.signature_ok for r in receiver.received] == [True, True]


def test_unreachable_endpoint_is_retried(group, partner):
    endpoint = webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/nobody")
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                   group_slug=group.slug, body="{}",
                                   next_attempt_at=timezone.now())
    (sent,) = deliveries_send_due()
    assert sent.status == "pending" and sent.last_error == "could not connect"


def test_replay_sends_the_same_event_again(group, endpoint, receiver):
    first = WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                           group_slug=group.slug, body='{"x":1}',
                                           next_attempt_at=timezone.now())
    deliveries_send_due()
    again = delivery_replay(delivery=WebhookDelivery.objects.get(pk=first.pk))
    assert again.pk != first.pk and again.event_id == first.event_id
    call_command("deliver_webhooks")
    again.refresh_from_db()
    assert again.status == "delivered"
    assert [r.body for r in receiver.received] == ['{"x":1}', '{"x":1}']


def test_planner_sees_and_replays_only_their_groups_deliveries(group, other_group, endpoint):
    from apps.groups.services import membership_grant
    from tests.factories import UserFactory
    from tests.hosts import host_client

    mine = WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                          group_slug=group.slug, body='{"mine":1}')
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.cancelled",
                                   group_slug=other_group.slug, body='{"theirs":1}')
    planner = UserFactory()
    membership_grant(group=group, user=planner)
    client = host_client(group)
    client.force_login(planner)
    listing = client.get("/admin/partners/webhookdelivery/")
    assert listing.status_code == 200
    assert "booking.confirmed" in listing.content.decode()
    assert "booking.cancelled" not in listing.content.decode()
    response = client.post("/admin/partners/webhookdelivery/", {
        "action": "replay", "_selected_action": [mine.pk]}, follow=True)
    assert "queued to be sent again" in response.content.decode()
    assert WebhookDelivery.objects.filter(replay_of=mine).count() == 1


def test_revoked_tokens_stop_the_events(group, partner, token, endpoint):
    from apps.partners.selectors import endpoints_for_group
    from apps.partners.services import api_token_revoke

    assert endpoints_for_group(group, "booking.confirmed") == [endpoint]
    api_token_revoke(token=token.token)
    assert endpoints_for_group(group, "booking.confirmed") == []
    api_token_create(partner=partner, name="agency", scopes=["read"], agency=group.agency)
    assert endpoints_for_group(group, "booking.confirmed") == [endpoint]
    endpoint.event_types = ["booking.cancelled"]
    endpoint.save()
    assert endpoints_for_group(group, "booking.confirmed") == []


def test_a_failing_subscriber_never_breaks_the_booking(client, group, stay, monkeypatch,
                                                        committed):
    def broken(**kwargs):
        raise RuntimeError("boom")

    events.subscribe(broken)
    try:
        booking = confirm(client, group, stay, committed)
    finally:
        events._subscribers.remove(broken)
    assert booking["status"] == "confirmed"


def test_platform_admin_pages_for_partners(db, partner, token, endpoint, group):
    from django.test import Client

    from tests.factories import UserFactory

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin_user)
    WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                   group_slug=group.slug, body="{}")
    for page in ["partner/", f"partner/{partner.pk}/change/", "apitoken/",
                 f"apitoken/{token.token.pk}/change/", "webhookdelivery/"]:
        assert client.get(f"/admin/partners/{page}").status_code == 200, page
    client.post("/admin/partners/apitoken/", {"action": "revoke",
                                              "_selected_action": [token.token.pk]})
    token.token.refresh_from_db()
    assert token.token.revoked_at is not None
    assert token.secret not in client.get(f"/admin/partners/partner/{partner.pk}/change/"
                                          ).content.decode()


def test_platform_admin_issues_a_token_and_shows_it_once(db, partner, group):
    import re

    from django.test import Client

    from apps.partners.models import ApiToken
    from tests.factories import UserFactory

    client = Client(HTTP_HOST="localhost")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/partners/apitoken/add/").status_code == 200
    response = client.post("/admin/partners/apitoken/add/", {
        "partner": partner.pk, "name": "prod", "scopes": ["read", "book"],
        "groups": [group.pk]})
    secret = re.search(r'id="token-secret"[^>]*>(anc_[^<]+)<', response.content.decode())[1]
    token = ApiToken.objects.get(name="prod")
    assert token.scopes == ["book", "read"] and list(token.groups.all()) == [group]
    assert "no-store" in response["Cache-Control"]
    from .conftest import api_client

    assert api_client(secret).get(f"/api/v1/groups/{group.slug}/").status_code == 200
    assert secret not in client.get(f"/admin/partners/apitoken/{token.pk}/change/"
                                    ).content.decode()
    refused = client.post("/admin/partners/apitoken/add/", {
        "partner": partner.pk, "name": "x", "scopes": ["read"]})
    assert "at least one group or an agency" in refused.content.decode()


def test_hold_expired_goes_only_to_the_partner_that_made_the_hold(
        client, group, stay, partner, endpoint, committed):
    from apps.bookings.services import hold_create

    other = Partner.objects.create(name="Other platform", slug="other-platform")
    api_token_create(partner=other, name="o", scopes=["read"], groups=[group])
    webhook_endpoint_create(partner=other, url="http://127.0.0.1:9/other")
    with committed():
        mine = post(client, f"/api/v1/groups/{group.slug}/holds/", hold_body(stay),
                    key="made-by-me").json()
    block, double, _, arrival = stay
    with tenant_context(group):
        hold_create(block=block, room_type_id=double.pk, check_in=arrival,
                    check_out=arrival + timedelta(days=1), quantity=1, currency="EUR",
                    idempotency_key="microsite:abc")
        Hold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with committed():
        with tenant_context(group):
            assert holds_expire() == 2
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint
    assert json.loads(delivery.body)["data"]["id"] == mine["id"]


def _pending(endpoint, group, n=1):
    return [WebhookDelivery.objects.create(endpoint=endpoint, event_type="booking.confirmed",
                                           group_slug=group.slug, body=f'{{"n":{i}}}',
                                           next_attempt_at=timezone.now())
            for i in range(n)]


def test_one_slow_partner_never_holds_up_the_others(group, partner, endpoint, receiver,
                                                    monkeypatch):
    from apps.partners.services import webhooks

    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.3)
    with WebhookReceiver(secret=SECRET, delay=1.0) as slow_receiver:
        slow = webhook_endpoint_create(partner=Partner.objects.create(name="Slow", slug="slow"),
                                       url=slow_receiver.url, secret=SECRET)
        stuck = _pending(slow, group, n=3)
        healthy = _pending(endpoint, group)
        sent = deliveries_send_due()
    assert [d.endpoint_id for d in sent] == [slow.pk, endpoint.pk]  # one try at the slow one
    assert WebhookDelivery.objects.get(pk=healthy[0].pk).status == "delivered"
    assert [WebhookDelivery.objects.get(pk=d.pk).attempts for d in stuck] == [1, 0, 0]


def test_a_paused_endpoint_waits_and_a_partner_switched_off_gets_nothing_more(
        group, partner, endpoint, receiver):
    waiting = _pending(endpoint, group)
    endpoint.is_active = False
    endpoint.save()
    assert deliveries_send_due() == []
    assert receiver.received == []
    assert WebhookDelivery.objects.get(pk=waiting[0].pk).status == "pending"
    endpoint.is_active = True
    endpoint.save()
    assert [d.status for d in deliveries_send_due()] == ["delivered"]  # back: it is sent
    later = _pending(endpoint, group)
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    assert deliveries_send_due() == []
    delivery = WebhookDelivery.objects.get(pk=later[0].pk)
    assert (delivery.status, delivery.last_error) == ("failed", "partner switched off")


def test_an_event_is_recorded_with_the_change_itself(client, group, stay, token, endpoint,
                                                     django_capture_on_commit_callbacks):
    """The delivery row is written in the booking's own transaction, not after it: a crash
    between the commit and an after-commit step can no longer lose the event."""
    with django_capture_on_commit_callbacks(execute=False):  # nothing runs after commit
        hold = post(client, f"/api/v1/groups/{group.slug}/holds/", hold_body(stay),
                    key="outbox-hold").json()
        post(client, f"/api/v1/groups/{group.slug}/bookings/",
             {"hold": hold["id"], "guest": GUEST}, key="outbox-confirm")
    assert list(WebhookDelivery.objects.values_list("event_type", "status")) == [
        ("booking.confirmed", "pending")]
