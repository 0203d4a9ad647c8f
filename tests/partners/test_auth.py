"""Tokens: hashed, shown once, revocable, scoped, reaching only their groups."""

import hashlib

import pytest

from apps.partners.models import ApiToken
from apps.partners.services import api_token_create, api_token_revoke
from apps.core.exceptions import ValidationFailed
from tests.factories import AgencyFactory, group_create_for_test

from .conftest import api_client, hold_body, post

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_its_hash(token):
    stored = ApiToken.objects.get(pk=token.token.pk)
    assert token.secret.startswith("anc_") and len(token.secret) > 40
    assert stored.token_hash == hashlib.sha256(token.secret.encode()).hexdigest()
    assert token.secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())
    assert stored.prefix == token.secret[:12]


def test_token_needs_scopes_and_reach(partner, group):
    with pytest.raises(ValidationFailed):
        api_token_create(partner=partner, name="x", scopes=["admin"], groups=[group])
    with pytest.raises(ValidationFailed):
        api_token_create(partner=partner, name="x", scopes=["read"])


@pytest.mark.parametrize("header, code", [
    (None, "not_authenticated"),
    ("Bearer anc_not-a-real-token", "invalid_token"),
    ("Token abc", "invalid_token"),
    ("Bearer ", "invalid_token"),
])
def test_without_a_valid_token_401_with_the_error_shape(group, header, code):
    from django.test import Client

    client = Client(HTTP_HOST="localhost", **({"HTTP_AUTHORIZATION": header} if header
                                                else {}))
    response = client.get("/api/v1/groups/")
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert set(response.json()) == {"code", "message", "extra"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(client, token):
    assert client.get("/api/v1/groups/").status_code == 200
    api_token_revoke(token=token.token)
    response = client.get("/api/v1/groups/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"


def test_inactive_partner_is_refused(client, partner):
    partner.is_active = False
    partner.save()
    assert client.get("/api/v1/groups/").json()["code"] == "partner_inactive"


def test_read_scope_cannot_book(partner, group, stay):
    read_only = api_token_create(partner=partner, name="ro", scopes=["read"], groups=[group])
    client = api_client(read_only.secret)
    assert client.get(f"/api/v1/groups/{group.slug}/").status_code == 200
    response = post(client, f"/api/v1/groups/{group.slug}/holds/", hold_body(stay))
    assert response.status_code == 403
    assert response.json() == {"code": "permission_denied", "message": response.json()[
        "message"], "extra": {"required_scope": "book"}}


def test_book_scope_alone_cannot_read(partner, group):
    book_only = api_token_create(partner=partner, name="bo", scopes=["book"], groups=[group])
    response = api_client(book_only.secret).get(f"/api/v1/groups/{group.slug}/bookings/")
    assert response.status_code == 403


def test_a_token_for_group_a_never_sees_group_b(client, group, other_group):
    listed = client.get("/api/v1/groups/").json()["results"]
    assert [g["slug"] for g in listed] == [group.slug]
    for path in ["", "blocks/", "bookings/", "holds/"]:
        response = client.get(f"/api/v1/groups/{other_group.slug}/{path}")
        assert response.status_code in {404, 405}
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"
    response = post(client, f"/api/v1/groups/{other_group.slug}/holds/", {})
    assert response.status_code == 404


def test_agency_token_reaches_every_group_of_the_agency(partner, db):
    agency = AgencyFactory()
    first = group_create_for_test(slug="agency-one", agency=agency)
    group_create_for_test(slug="not-the-agency")
    issued = api_token_create(partner=partner, name="agency", scopes=["read"], agency=agency)
    client = api_client(issued.secret)
    assert [g["slug"] for g in client.get("/api/v1/groups/").json()["results"]] == [
        first.slug]
    later = group_create_for_test(slug="agency-two", agency=agency)
    assert client.get(f"/api/v1/groups/{later.slug}/").status_code == 200
    assert client.get("/api/v1/groups/not-the-agency/").status_code == 404


def test_unknown_api_path_uses_the_error_shape(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_is_only_on_the_public_host(token, group):
    from tests.hosts import host_client

    response = host_client(group).get("/api/v1/groups/",
                                      HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    assert response.status_code == 404


def test_unknown_api_path_on_a_write_is_json_not_a_csrf_page(client):
    response = client.delete("/api/v1/groups/x/holds/not-a-uuid/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_ids_of_one_group_mean_nothing_in_another(partner, group, other_group, stay):
    """Even a token reaching both groups reads each group's rows only under its own slug."""
    from datetime import timedelta

    from django_tenants.utils import tenant_context

    from apps.bookings.services import GuestDetails, booking_confirm, hold_create

    block, double, _, arrival = stay
    with tenant_context(group):
        booking = booking_confirm(
            hold=hold_create(block=block, room_type_id=double.pk, check_in=arrival,
                             check_out=arrival + timedelta(days=1), quantity=1,
                             currency="EUR", idempotency_key="iso"),
            guest=GuestDetails(first_name="A", last_name="B", email="a@example.com"))
    both = api_client(api_token_create(partner=partner, name="both", scopes=["read"],
                                       groups=[group, other_group]).secret)
    mine = f"/api/v1/groups/{group.slug}"
    theirs = f"/api/v1/groups/{other_group.slug}"
    assert both.get(f"{mine}/bookings/{booking.reference}/").status_code == 200
    assert both.get(f"{theirs}/bookings/{booking.reference}/").status_code == 404
    assert both.get(f"{theirs}/holds/{booking.hold.public_id}/").status_code == 404
    assert both.get(f"{theirs}/blocks/{block.pk}/").status_code == 404
    assert both.get(f"{theirs}/bookings/").json()["results"] == []
