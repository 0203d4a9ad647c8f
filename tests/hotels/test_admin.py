"""The hotel catalogue in the platform admin."""

import pytest
from django.test import Client

from apps.hotels.models import Hotel
from tests.factories import RoomTypeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_hotel_cannot_be_deleted_from_the_admin_but_its_page_works():
    # Blocks, holds and bookings in every group's schema point at hotels and room types;
    # the admin cannot see them from the public schema, so it must not delete.
    room = RoomTypeFactory()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    page = client.get(f"/admin/hotels/hotel/{room.hotel.pk}/change/")
    assert page.status_code == 200
    assert f"/admin/hotels/hotel/{room.hotel.pk}/delete/" not in page.content.decode()
    response = client.post(f"/admin/hotels/hotel/{room.hotel.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Hotel.objects.filter(pk=room.hotel.pk).exists()
