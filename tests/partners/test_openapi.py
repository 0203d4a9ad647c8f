"""The OpenAPI schema, the docs page, and schemathesis against the live test server:
no server errors, no response that breaks the schema."""

import uuid
from datetime import timedelta

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_headers_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from apps.partners.models import Partner
from apps.partners.services import api_token_create
from tests.conftest import live_database

from .conftest import make_block

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]
EXAMPLES = 25


def test_schema_is_openapi_3_and_documents_every_endpoint(public_client, db):
    response = public_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = {op["operationId"] for path in schema["paths"].values()
                  for op in path.values()}
    assert operations == {"groups_list", "groups_retrieve", "blocks_list", "blocks_retrieve",
                          "room_types_list", "availability_retrieve", "holds_create",
                          "holds_retrieve", "holds_release", "bookings_list",
                          "bookings_create", "bookings_retrieve", "bookings_modify",
                          "bookings_cancel"}
    hold_create = schema["paths"]["/api/v1/groups/{slug}/holds/"]["post"]
    assert {p["name"] for p in hold_create["parameters"]} >= {"Idempotency-Key"}
    assert {"409", "422", "429"} <= set(hold_create["responses"])
    assert schema["components"]["securitySchemes"]["partnerToken"]["scheme"] == "bearer"


def test_docs_page_uses_bundled_assets(public_client, db):
    response = public_client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page
    assert "cdn" not in page.lower()
    from django.contrib.staticfiles import finders

    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]:
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset


@pytest.fixture
def seeded(drop_group_schemas, settings):
    """A group with a block, a booking to read, and a read+book token."""
    from django_tenants.utils import tenant_context

    from apps.bookings.services import GuestDetails, booking_confirm, hold_create
    from tests.factories import group_create_for_test

    settings.ANCILE_API_RATE_LIMIT = 0
    group = group_create_for_test(slug="fuzzed")
    block, double, suite, arrival = make_block(group, allotment=50)
    with tenant_context(group):
        booking = booking_confirm(
            hold=hold_create(block=block, room_type_id=double.pk, check_in=arrival,
                             check_out=arrival + timedelta(days=1), quantity=1,
                             currency="EUR", idempotency_key="seed"),
            guest=GuestDetails(first_name="A", last_name="B", email="a@example.com"))
    partner = Partner.objects.create(name="Fuzzer", slug="fuzzer")
    issued = api_token_create(partner=partner, name="fuzz", scopes=["read", "book"],
                              groups=[group])
    return {"secret": issued.secret, "slug": group.slug, "block": block.pk,
            "room_type": double.pk, "reference": booking.reference,
            "hold": str(booking.hold.public_id), "check_in": arrival}


OPERATIONS = ["groups_list", "groups_retrieve", "blocks_list", "blocks_retrieve",
              "room_types_list", "availability_retrieve", "holds_create", "holds_retrieve",
              "holds_release", "bookings_list", "bookings_create", "bookings_retrieve",
              "bookings_modify", "bookings_cancel"]


def nudge(case, seeded):
    """Point most generated requests at real objects, so the happy paths run too."""
    params = case.path_parameters or {}
    if "slug" in params:
        params["slug"] = seeded["slug"]
    if "block_id" in params:
        params["block_id"] = seeded["block"]
    if params.get("reference") and len(str(params["reference"])) % 2:
        params["reference"] = seeded["reference"]
    if params.get("hold_id") and len(str(params["hold_id"])) % 2:
        params["hold_id"] = seeded["hold"]
    if isinstance(case.body, dict):
        if "block" in case.body:
            case.body["block"] = seeded["block"]
        if "room_type" in case.body and len(str(case.body)) % 2:
            case.body["room_type"] = seeded["room_type"]
        if "hold" in case.body and len(str(case.body)) % 3:
            case.body["hold"] = seeded["hold"]


@live_database
@pytest.mark.slow
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_api_never_errors_and_always_matches_its_schema(operation_id, seeded, live_server):
    """schemathesis, through its Python API, against the live test server: valid and
    invalid generated requests; zero server errors, zero schema violations."""
    from hypothesis import given, strategies as st

    api = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    operation = next(
        result.ok() for result in api.get_all_operations()
        if result.ok().definition.raw.get("operationId") == operation_id)
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))
    session = requests.Session()

    @given(case=strategy)
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    def run(case):
        nudge(case, seeded)
        headers = {"Authorization": f"Bearer {seeded['secret']}"}
        if case.method != "GET" and len(str(case.body)) % 4:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        case.call_and_validate(base_url=live_server.url, session=session, headers=headers,
                               checks=CHECKS)

    run()
    # And one request that succeeds, so the 2xx answer is held to the schema as well.
    happy = happy_request(operation_id, seeded)
    if "body" in happy:
        happy["media_type"] = "application/json"
    case = operation.schema.make_case(operation=operation, **happy)
    response = case.call_and_validate(
        base_url=live_server.url, session=session, checks=CHECKS,
        headers={"Authorization": f"Bearer {seeded['secret']}",
                 "Idempotency-Key": uuid.uuid4().hex})
    assert 200 <= response.status_code < 300, response.text


def happy_request(operation_id: str, seeded: dict) -> dict:
    slug, block = seeded["slug"], seeded["block"]
    check_in = seeded["check_in"]
    stay = {"block": block, "room_type": seeded["room_type"], "quantity": 1,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat()}
    guest = {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}
    return {
        "groups_list": {},
        "groups_retrieve": {"path_parameters": {"slug": slug}},
        "blocks_list": {"path_parameters": {"slug": slug}},
        "blocks_retrieve": {"path_parameters": {"slug": slug, "block_id": block}},
        "room_types_list": {"path_parameters": {"slug": slug, "block_id": block}},
        "availability_retrieve": {"path_parameters": {"slug": slug, "block_id": block}},
        "holds_create": {"path_parameters": {"slug": slug}, "body": stay},
        "holds_retrieve": {"path_parameters": {"slug": slug, "hold_id": seeded["hold"]}},
        "holds_release": {"path_parameters": {"slug": slug, "hold_id": seeded["hold"]}},
        "bookings_list": {"path_parameters": {"slug": slug}, "query": {"status": "confirmed"}},
        "bookings_create": {"path_parameters": {"slug": slug},
                            "body": {"hold": seeded["hold"], "guest": guest}},
        "bookings_retrieve": {"path_parameters": {"slug": slug,
                                                  "reference": seeded["reference"]}},
        "bookings_modify": {"path_parameters": {"slug": slug,
                                                "reference": seeded["reference"]},
                            "body": {"quantity": 1}},
        "bookings_cancel": {"path_parameters": {"slug": slug,
                                                "reference": seeded["reference"]}},
    }[operation_id]
