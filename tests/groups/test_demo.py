import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from apps.groups.demo import demo_load
from apps.groups.models import Agency, Domain, Group, Membership
from apps.hotels.models import Hotel, RoomType
from apps.inventory.models import BlockNight, RoomBlock

pytestmark = pytest.mark.django_db


def _counts():
    counts = {model.__name__: model.objects.count()
              for model in (Group, Domain, Agency, Membership, Hotel, RoomType,
                            get_user_model())}
    for group in Group.objects.all():
        with tenant_context(group):
            counts[f"{group.slug}:blocks"] = RoomBlock.objects.count()
            counts[f"{group.slug}:nights"] = BlockNight.objects.count()
    return counts


def test_demo_loads_and_a_second_run_duplicates_nothing():
    first = demo_load()
    after_first = _counts()
    second = demo_load()
    assert first.created and not second.created
    assert _counts() == after_first
    assert after_first["Group"] == 3
    assert after_first["ana-and-ben:blocks"] == 2
    assert after_first["ana-and-ben:nights"] > 0
