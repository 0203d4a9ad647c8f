import pytest

from tests.factories import group_create_for_test
from tests.hosts import host_client

pytestmark = pytest.mark.django_db


def test_public_host_serves_the_landing_page(public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert b"Planner sign-in" in response.content


def test_group_host_serves_that_groups_microsite():
    group = group_create_for_test(slug="lea-and-tom", name="Lea & Tom")
    response = host_client(group).get("/")
    assert response.status_code == 200
    assert "Lea &amp; Tom" in response.content.decode()
    assert "not open for booking yet" in response.content.decode()  # empty state


def test_unknown_subdomain_is_a_friendly_404():
    from django.test import Client

    response = Client(HTTP_HOST="no-such-event.localhost").get("/")
    assert response.status_code == 404
    assert b"There is no event at no-such-event.localhost" in response.content


def test_group_host_does_not_serve_public_admin_or_office():
    group = group_create_for_test()
    client = host_client(group)
    assert client.get("/office/").status_code == 404
    # /admin/ on a group host is the group's back office, asking for sign-in.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_microsite_not_live_says_so():
    group = group_create_for_test()
    group.is_live = False
    group.save()
    response = host_client(group).get("/")
    assert response.status_code == 503
    assert b"not open yet" in response.content


def test_a_group_host_is_remembered_and_forgotten_when_the_group_changes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.groups.models import Domain

    group = group_create_for_test(slug="ines-and-joao", name="Inês & João")
    client = host_client(group)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert "Inês &amp; João" in client.get("/").content.decode()
    assert not [q for q in queries if "groups_domain" in q["sql"]]  # remembered

    group.name = "Inês & João Silva"
    group.save()  # forgotten at once in this process
    assert "Inês &amp; João Silva" in client.get("/").content.decode()

    Domain.objects.filter(tenant=group).delete()
    assert client.get("/").status_code == 404


def test_a_microsite_not_live_takes_no_holds():
    from datetime import date

    from django_tenants.utils import tenant_context

    from apps.bookings.models import Hold
    from tests.factories import RoomTypeFactory, block_for_test

    group = group_create_for_test()
    room = RoomTypeFactory()
    block = block_for_test(group, room, arrival=date(2031, 5, 1), nights=2)
    group.is_live = False
    group.save()
    client = host_client(group)
    assert client.get(f"/stay/{block.pk}/").status_code == 503
    response = client.post(f"/stay/{block.pk}/", {
        "room_type": room.pk, "check_in": "2031-05-01", "check_out": "2031-05-03",
        "quantity": 1, "request_key": "closed"})
    assert response.status_code == 503
    with tenant_context(group):
        assert not Hold.objects.exists()
