"""Malformed requests get the API's error shape and a 4xx, never a 500."""

import pytest

from apps.partners.services import api_token_create

from .conftest import api_client, hold_body, post


# "cD14" is p=x, not a date; "cD0A" is p=<NUL>, which PostgreSQL cannot compare.
@pytest.mark.parametrize("listing, cursor", [("", "cD0A"), ("blocks/", "cD14"),
                                             ("blocks/", "cD0A"), ("bookings/", "cD14"),
                                             ("bookings/", "cD0A")])
def test_a_cursor_that_is_not_ours_is_invalid_not_a_crash(client, group, stay, cursor,
                                                         listing):
    path = f"/api/v1/groups/{group.slug}/{listing}" if listing else "/api/v1/groups/"
    response = client.get(f"{path}?cursor={cursor}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == "Invalid cursor"


def test_a_reference_that_cannot_be_one_is_not_found(client, group, stay):
    base = f"/api/v1/groups/{group.slug}/bookings"
    for response in (client.get(f"{base}/%00/"), client.get(f"{base}/{'A' * 40}/"),
                     post(client, f"{base}/%00/cancellation/", {})):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_a_body_over_the_limit_is_refused_with_413(client, group, stay, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    body = {**hold_body(stay), "padding": "x" * 3_000}
    response = post(client, f"/api/v1/groups/{group.slug}/holds/", body, key="big")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_options_answers_405_for_any_token(partner, group):
    reader = api_token_create(partner=partner, name="reader", scopes=["read"], groups=[group])
    response = api_client(reader.secret).options(f"/api/v1/groups/{group.slug}/holds/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
