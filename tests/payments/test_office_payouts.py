"""Planners see earnings and payout status, and onboard their agency and hotels."""

from django.test import Client
from django_tenants.utils import tenant_context

from apps.connect.models import ConnectedAccount
from apps.groups.services import membership_grant
from apps.payments.models import Payment
from tests.factories import UserFactory

from .conftest import make_block


def _planner_client(group):
    planner = UserFactory(username="marta", email="marta@lumen.example")
    membership_grant(group=group, user=planner)
    client = Client(HTTP_HOST="localhost")
    client.force_login(planner)
    return client


def test_earnings_and_onboarding_from_the_office(group, fake_stripe):
    block, _ = make_block(group)
    with tenant_context(group):
        Payment.objects.create(kind="full", status="succeeded", currency="EUR",
                               amount_minor=26700, hotel_minor=20300, agency_minor=3280,
                               platform_minor=720, taxes_minor=2400, transfer_group="t")
    client = _planner_client(group)
    page = client.get("/office/payouts/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "€267.00" in text and "€32.80" in text  # paid in, agency markup
    assert "Not set up: transfers wait" in text
    response = client.post(f"/office/payouts/hotel/{block.hotel_id}/onboard/")
    assert response.status_code == 302
    assert response["Location"].startswith(fake_stripe.url + "/connect/onboard/acct_")
    account = ConnectedAccount.objects.get(hotel=block.hotel)
    assert not account.ready
    # back from Stripe's onboarding: the account's state is read from Stripe
    fake_stripe.get(account.stripe_account_id).update(details_submitted=True,
                                                      payouts_enabled=True)
    back = client.get(f"/office/payouts/hotel/{block.hotel_id}/return/")
    assert back.status_code == 302
    account.refresh_from_db()
    assert account.ready


def test_a_planner_cannot_onboard_someone_elses_hotel(group, fake_stripe):
    from tests.factories import HotelFactory

    client = _planner_client(group)
    stranger = HotelFactory()
    assert client.post(f"/office/payouts/hotel/{stranger.pk}/onboard/").status_code == 404
    assert client.post("/office/payouts/bank/1/onboard/").status_code == 404
    assert not ConnectedAccount.objects.exists()


def test_a_viewer_cannot_onboard_and_a_set_up_account_is_never_rerouted(group, fake_stripe):
    from apps.groups.models import Membership

    block, _ = make_block(group)
    viewer = UserFactory(username="vera")
    membership_grant(group=group, user=viewer, role=Membership.Role.VIEWER)
    as_viewer = Client(HTTP_HOST="localhost")
    as_viewer.force_login(viewer)
    page = as_viewer.get("/office/payouts/")
    assert page.status_code == 200  # may look
    assert "Set up payouts" not in page.content.decode()
    assert as_viewer.post(f"/office/payouts/hotel/{block.hotel_id}/onboard/").status_code \
        == 404
    assert as_viewer.post(f"/office/payouts/agency/{group.agency_id}/onboard/").status_code \
        == 404
    assert not ConnectedAccount.objects.exists()

    planner = _planner_client(group)
    planner.post(f"/office/payouts/hotel/{block.hotel_id}/onboard/")
    account = ConnectedAccount.objects.get(hotel=block.hotel)
    fake_stripe.get(account.stripe_account_id).update(details_submitted=True,
                                                      payouts_enabled=True)
    planner.get(f"/office/payouts/hotel/{block.hotel_id}/return/")
    again = planner.post(f"/office/payouts/hotel/{block.hotel_id}/onboard/", follow=True)
    assert "already set up" in again.content.decode()
    assert ConnectedAccount.objects.count() == 1


def test_the_return_page_answers_only_for_ones_own_parties(group, fake_stripe):
    from tests.factories import HotelFactory

    client = _planner_client(group)
    assert client.get(f"/office/payouts/hotel/{HotelFactory().pk}/return/").status_code \
        == 404
