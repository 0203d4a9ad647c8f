"""The double-entry ledger: every money movement is a balanced set of entries.

Debits are positive, credits negative. For each movement the processor reports (a charge,
its fee, a transfer, a refund, a reversal, a dispute) `post` writes one LedgerTransaction,
keyed by (kind, processor object id) so recording the same movement twice is a no-op, and
its entries, which must sum to zero per currency: checked here, and again by a deferred
PostgreSQL constraint trigger at COMMIT, so no code path (or raw SQL) can leave the books
unbalanced.

Accounts (apps.payments.models.Account) and the usual postings:

    charge        Dr processor   Cr hotel_payable, agency_payable, platform_revenue, taxes_payable
    processor fee Dr processor_fees                 Cr processor
    transfer      Dr hotel_payable (+ taxes_payable) or agency_payable   Cr processor
    refund        Dr the payable parts it draws on  Cr processor
    reversal      Dr processor                      Cr hotel_payable / agency_payable
    dispute       Dr disputes                       Cr processor  (won: the reverse)

So `processor` is the platform's own balance at Stripe, `hotel_payable` what hotels are
still owed (negative once a refund is taken back from a hotel already paid, until the
reversal), and so on. Balances can be read per booking, per hotel and per agency.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Sum

from .models import Account, LedgerEntry, LedgerTransaction


class Unbalanced(ValueError):
    pass


@dataclass(frozen=True)
class Line:
    account: str
    amount_minor: int  # debit +, credit -
    hotel_id: int | None = None
    agency_id: int | None = None


def post(*, kind: str, reference: str, currency: str, lines: list[Line], booking=None,
         payment=None, memo: str = "") -> LedgerTransaction:
    """Record one movement. Posting the same (kind, reference) again returns the first."""
    lines = [line for line in lines if line.amount_minor != 0]
    if sum(line.amount_minor for line in lines) != 0:
        raise Unbalanced(f"{kind} {reference}: entries sum to "
                         f"{sum(line.amount_minor for line in lines)}")
    existing = LedgerTransaction.objects.filter(kind=kind, reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            txn = LedgerTransaction.objects.create(kind=kind, reference=reference,
                                                   currency=currency, booking=booking,
                                                   payment=payment, memo=memo[:200])
            LedgerEntry.objects.bulk_create([
                LedgerEntry(transaction=txn, account=line.account,
                            amount_minor=line.amount_minor, currency=currency,
                            booking=booking, hotel_id=line.hotel_id,
                            agency_id=line.agency_id) for line in lines])
    except IntegrityError:
        existing = LedgerTransaction.objects.filter(kind=kind, reference=reference).first()
        if existing is None:
            raise
        return existing
    return txn


def balances(**filters) -> dict[tuple[str, str], int]:
    """{(account, currency): balance} over the entries matching `filters`
    (e.g. booking=..., hotel_id=..., agency_id=...)."""
    rows = (LedgerEntry.objects.filter(**filters).values("account", "currency")
            .annotate(total=Sum("amount_minor")).order_by("account", "currency"))
    return {(row["account"], row["currency"]): row["total"] for row in rows}


def balance(account: str, currency: str, **filters) -> int:
    return balances(account=account, currency=currency, **filters).get((account, currency), 0)


__all__ = ["Account", "Line", "Unbalanced", "balance", "balances", "post"]
