from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from apps.core.exceptions import Conflict, ValidationFailed
from apps.groups.models import Domain, Group, Membership
from apps.groups.services import group_create
from tests.factories import AgencyFactory, UserFactory, group_create_for_test

pytestmark = pytest.mark.django_db


def test_creating_a_group_makes_its_schema_domain_and_owner():
    owner = UserFactory()
    group = group_create_for_test(slug="sara-and-joe", owner=owner)
    assert group.schema_name == "g_sara_and_joe"
    assert schema_exists("g_sara_and_joe")
    assert Domain.objects.get(tenant=group).domain == "sara-and-joe.localhost"
    assert Membership.objects.get(group=group).user == owner
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables "
                       "WHERE table_schema = %s AND table_name LIKE 'inventory_%%'",
                       [group.schema_name])
        assert cursor.fetchone()[0] >= 3


def test_taken_subdomain_is_refused_with_a_clear_error():
    group_create_for_test(slug="taken")
    with pytest.raises(Conflict) as error:
        group_create_for_test(slug="taken")
    assert error.value.code == "slug_taken"
    assert Group.objects.filter(slug="taken").count() == 1


@pytest.mark.parametrize("slug,code", [("www", "slug_reserved"), ("Bad Slug!", "validation_error"),
                                       ("-dash", "validation_error")])
def test_bad_subdomains_are_refused_and_nothing_is_created(slug, code):
    with pytest.raises(ValidationFailed) as error:
        group_create_for_test(slug=slug)
    assert error.value.code == code
    assert not Group.objects.exists()


def test_invalid_branding_and_dates_are_reported_per_field():
    from apps.groups.services import Branding

    with pytest.raises(ValidationFailed) as error:
        group_create(agency=AgencyFactory(), slug="colours", name="Colours", kind="wedding",
                     starts_on=date(2027, 5, 2), ends_on=date(2027, 5, 1),
                     branding=Branding(primary_colour="purple"))
    fields = error.value.extra["fields"]
    assert "primary_colour" in fields
    assert not schema_exists("g_colours")


def test_admin_creates_a_group_in_one_step(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    agency = AgencyFactory()
    client = type(client)(HTTP_HOST="localhost")
    client.force_login(admin)
    response = client.post("/admin/groups/group/add/", {
        "slug": "from-admin", "name": "From Admin", "kind": "conference",
        "agency": agency.pk, "starts_on": "2027-03-01", "ends_on": "2027-03-03",
        "currency": "EUR", "primary_colour": "#112233", "accent_colour": "#445566"})
    assert response.status_code == 302, response.content.decode()[:2000]
    group = Group.objects.get(slug="from-admin")
    assert schema_exists(group.schema_name)
    assert group.memberships.get().user == admin


def test_admin_shows_form_errors_instead_of_creating(client):
    admin = UserFactory(username="root2", is_staff=True, is_superuser=True)
    client = type(client)(HTTP_HOST="localhost")
    client.force_login(admin)
    response = client.post("/admin/groups/group/add/", {
        "slug": "bad", "name": "Bad", "kind": "wedding", "agency": AgencyFactory().pk,
        "starts_on": "2027-03-05", "ends_on": "2027-03-01", "currency": "EUR",
        "primary_colour": "#112233", "accent_colour": "#445566"})
    assert response.status_code == 200
    assert "cannot end before it starts" in response.content.decode()
    assert not Group.objects.filter(slug="bad").exists()


def test_a_deleted_groups_subdomain_never_hands_its_guests_to_a_new_group():
    from tests.factories import RoomTypeFactory, block_for_test

    old = group_create_for_test(slug="ana-and-ben")
    block_for_test(old, RoomTypeFactory(), arrival=date(2031, 5, 1), nights=2)
    old.delete()  # the schema, with its blocks and guests, is kept
    assert schema_exists("g_ana_and_ben")
    with pytest.raises(Conflict) as error:
        group_create_for_test(slug="ana-and-ben")
    assert error.value.code == "slug_taken"
    assert "deleted group" in error.value.message
    assert not Group.objects.filter(slug="ana-and-ben").exists()


def test_a_hero_image_address_cannot_break_out_of_its_css():
    from apps.groups.services import Branding

    hostile = ("https://x.example/a');position:fixed;top:0;left:0;width:100%;"
               "background:url('https://evil.example/p.png")
    with pytest.raises(ValidationFailed) as error:
        group_create(agency=AgencyFactory(), slug="hero", name="Hero", kind="wedding",
                     starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 2),
                     branding=Branding(hero_image_url=hostile))
    assert "hero_image_url" in error.value.extra["fields"]
    group = group_create_for_test(slug="hero-ok")
    group.hero_image_url = "https://images.example/hero.jpg?w=1600&fit=crop"
    group.full_clean(exclude=["schema_name"])
