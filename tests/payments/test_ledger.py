"""The ledger balances per movement, and the database refuses anything else."""

import pytest
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import tenant_context

from apps.payments import ledger
from apps.payments.ledger import Line
from apps.payments.models import Account, LedgerEntry, LedgerTransaction
from tests.factories import group_create_for_test


@pytest.fixture
def group(db):
    return group_create_for_test(slug="ledger-tests")  # cloned from the template schema


def _charge(reference="ch_1", amount=10000):
    return ledger.post(kind="charge", reference=reference, currency="EUR", lines=[
        Line(Account.PROCESSOR, amount),
        Line(Account.HOTEL_PAYABLE, -8000, hotel_id=7),
        Line(Account.AGENCY_PAYABLE, -1200, agency_id=3),
        Line(Account.PLATFORM_REVENUE, -300),
        Line(Account.TAXES_PAYABLE, -(amount - 9500), hotel_id=7),
    ])


def test_a_movement_is_recorded_once_and_balances(group):
    with tenant_context(group):
        first = _charge()
        assert _charge() == first  # recording the same charge again changes nothing
        assert LedgerEntry.objects.count() == 5
        assert ledger.balance(Account.HOTEL_PAYABLE, "EUR", hotel_id=7) == -8000
        assert ledger.balance(Account.AGENCY_PAYABLE, "EUR", agency_id=3) == -1200
        assert sum(ledger.balances().values()) == 0


def test_an_unbalanced_movement_is_refused_before_it_is_written(group):
    with tenant_context(group):
        with pytest.raises(ledger.Unbalanced):
            ledger.post(kind="refund", reference="re_1", currency="EUR",
                        lines=[Line(Account.PROCESSOR, -500), Line(Account.GUEST, 400)])
        assert not LedgerTransaction.objects.exists()


def test_the_database_refuses_to_commit_an_unbalanced_transaction(group):
    """Even raw SQL past the service cannot unbalance the books: the deferred constraint
    trigger (cloned into every group's schema) fires at commit."""
    with tenant_context(group):
        txn = _charge()
        with pytest.raises(IntegrityError, match="does not balance"):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE payments_ledgerentry SET amount_minor = 1 "
                                   "WHERE transaction_id = %s AND account = 'guest' "
                                   "OR (transaction_id = %s AND account = 'processor')",
                                   [txn.pk, txn.pk])
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does
        with pytest.raises(IntegrityError, match="does not balance"):
            with transaction.atomic():
                LedgerEntry.objects.create(transaction=txn, account=Account.GUEST,
                                           amount_minor=1, currency="EUR")
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # a balanced correction inside one transaction is fine
        with transaction.atomic():
            LedgerEntry.objects.create(transaction=txn, account=Account.GUEST,
                                       amount_minor=5, currency="EUR")
            LedgerEntry.objects.create(transaction=txn, account=Account.PROCESSOR,
                                       amount_minor=-5, currency="EUR")
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert sum(ledger.balances().values()) == 0
