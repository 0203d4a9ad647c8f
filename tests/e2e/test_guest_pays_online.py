"""A guest pays for a prepaid room on the fake Stripe's hosted checkout page (a declined
card first), comes back to the microsite booked; the signed webhook agrees."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import tenant_context

from apps.bookings.models import Booking
from apps.connect.models import StripeEvent
from apps.inventory.models import RoomBlock
from apps.payments.fake_stripe import FakeStripe
from apps.payments.models import Payment
from tests.conftest import live_database
from tests.factories import RoomTypeFactory, block_for_test, group_create_for_test

pytestmark = live_database


@pytest.fixture
def fake_stripe(live_server, settings):
    with FakeStripe(webhook_secret="whsec_e2e_fake",
                    webhook_url=f"{live_server.url}/stripe/webhook/") as fake:
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_SECRET_KEY = "sk_test_e2e_fake"
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        yield fake


def test_guest_pays_on_the_hosted_checkout_page(live_server, phone, fake_stripe,
                                                drop_group_schemas):
    group = group_create_for_test(slug="pay-and-stay", name="Pay & Stay")
    double = RoomTypeFactory(name="Garden Double", hotel__name="Quinta Azul")
    arrival = date.today() + timedelta(days=40)
    block = block_for_test(group, double, arrival=arrival, allotment=4, cutoff_days=10,
                           name="Wedding", sell_rate_minor=12500,
                           payment_mode=RoomBlock.PaymentMode.PREPAY)
    port = live_server.url.rsplit(":", 1)[1]
    phone.goto(f"http://pay-and-stay.localhost:{port}/stay/{block.pk}/")
    phone.get_by_label("Garden Double").check()
    phone.get_by_role("button", name="Hold these rooms").click()
    assert phone.get_by_text("the full price, online").is_visible()
    phone.get_by_label("First name").fill("Ana")
    phone.get_by_label("Last name").fill("Lopes")
    phone.get_by_label("E-mail").fill("ana@example.com")
    phone.get_by_role("button", name="Continue to payment").click()

    assert phone.url.startswith(fake_stripe.url + "/checkout/")
    assert phone.get_by_text("Pay 250.00 EUR").is_visible()
    phone.get_by_role("button", name="Decline (card 0002)").click()
    assert phone.get_by_text("Your card was declined.").is_visible()
    phone.get_by_role("button", name="Pay with test card 4242").click()

    assert phone.get_by_text("You're booked").is_visible()
    reference = phone.locator(".reference").inner_text()
    with tenant_context(group):
        booking = Booking.objects.get()
        assert booking.reference == reference and booking.guest_first_name == "Ana"
        payment = Payment.objects.get()
        assert payment.status == "succeeded" and payment.booking == booking
        assert payment.amount_minor == 25000
    # the webhooks arrive too (in the background) and change nothing
    import time

    deadline = time.monotonic() + 30
    while StripeEvent.objects.filter(processed_at__isnull=False).count() < 4 and \
            time.monotonic() < deadline:
        time.sleep(0.1)
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 4
    assert {d["status"] for d in fake_stripe.deliveries} == {200}
    with tenant_context(group):
        assert Booking.objects.count() == 1
