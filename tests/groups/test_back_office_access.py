import pytest
from django.core import signing

from apps.groups.office import SALT, handoff_token_create
from apps.groups.services import membership_grant
from tests.factories import UserFactory, group_create_for_test
from tests.hosts import host_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return UserFactory(username="marta")


def test_planner_signs_in_once_and_moves_between_groups(public_client, planner):
    wedding = group_create_for_test(owner=planner, name="Wedding")
    congress = group_create_for_test(name="Congress")
    membership_grant(group=congress, user=planner)
    assert public_client.post("/office/login/", {"username": "marta",
                                                 "password": "secret-pass-123"}).status_code == 302
    home = public_client.get("/office/").content.decode()
    assert "Wedding" in home and "Congress" in home

    for group in (wedding, congress):
        hop = public_client.get(f"/office/groups/{group.slug}/")
        assert hop.status_code == 302
        assert hop["Location"].startswith(f"http://{group.slug}.localhost")
        client = host_client(group)
        landed = client.get(hop["Location"].split(".localhost", 1)[1])
        assert landed.status_code == 302 and landed["Location"] == "/admin/"
        index = client.get("/admin/")
        assert index.status_code == 200
        assert f"{group.name} · back office" in index.content.decode()


def test_planner_never_reaches_a_group_they_are_not_in(public_client, planner):
    other = group_create_for_test(name="Someone Else's Party")
    public_client.force_login(planner)
    hop = public_client.get(f"/office/groups/{other.slug}/")
    assert hop.status_code == 403
    assert "not open to you" in hop.content.decode()

    client = host_client(other)
    client.force_login(planner)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "not a planner of" in response.content.decode()
    assert client.get("/admin/inventory/roomblock/").status_code == 403
    assert client.get("/admin/login/").status_code == 403


def test_office_home_lists_only_the_planners_groups(public_client, planner):
    mine = group_create_for_test(owner=planner, name="Mine")
    group_create_for_test(name="Not Mine")
    public_client.force_login(planner)
    page = public_client.get("/office/").content.decode()
    assert mine.name in page and "Not Mine" not in page


def test_handoff_token_works_once_and_only_for_its_group(planner):
    group = group_create_for_test(owner=planner)
    other = group_create_for_test(owner=planner)
    token = handoff_token_create(user=planner, group=group)

    assert host_client(other).get(f"/office/handoff/?token={token}").status_code == 403
    assert host_client(group).get(f"/office/handoff/?token={token}").status_code == 302
    reused = host_client(group).get(f"/office/handoff/?token={token}")
    assert reused.status_code == 403
    assert b"expired or was already used" in reused.content


def test_forged_handoff_token_is_refused(planner):
    group = group_create_for_test()
    forged = signing.dumps({"user": planner.pk, "group": group.pk, "nonce": "x"}, salt="other")
    assert host_client(group).get(f"/office/handoff/?token={forged}").status_code == 403
    genuine_but_not_member = signing.dumps(
        {"user": planner.pk, "group": group.pk, "nonce": "y"}, salt=SALT)
    assert host_client(group).get(
        f"/office/handoff/?token={genuine_but_not_member}").status_code == 403


def test_viewer_can_look_but_not_edit(planner):
    group = group_create_for_test()
    membership_grant(group=group, user=planner, role="viewer")
    client = host_client(group)
    client.force_login(planner)
    assert client.get("/admin/inventory/roomblock/").status_code == 200
    assert client.get("/admin/inventory/roomblock/add/").status_code == 403


def test_anonymous_guest_is_sent_to_sign_in():
    group = group_create_for_test()
    response = host_client(group).get("/admin/inventory/roomblock/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
