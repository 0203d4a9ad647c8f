"""Records only the system writes are shown read-only, even to a superuser."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.groups.admin_site import group_admin_site
from apps.hotels.models import SupplierRate
from apps.inventory.models import BlockChange
from apps.payments.models import Dispute, LedgerTransaction, Payment, Refund, Transfer
from tests.factories import UserFactory


@pytest.mark.django_db
@pytest.mark.parametrize("site, model", [
    (admin.site, SupplierRate), (group_admin_site, BlockChange),
    (group_admin_site, Payment), (group_admin_site, Transfer), (group_admin_site, Refund),
    (group_admin_site, Dispute), (group_admin_site, LedgerTransaction)])
def test_system_records_cannot_be_added_changed_or_deleted(site, model):
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
