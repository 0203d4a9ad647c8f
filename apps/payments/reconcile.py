"""Compare the ledger with the processor's records and list every difference.

For each payment of the current group that reached Stripe, the processor's objects (the
payment intent, its refunds, the transfers in its transfer group and their reversals, the
charge's fee) are compared with our rows and ledger transactions, both ways: something
Stripe has that the ledger lacks (a refund made on the dashboard), something the ledger
has that Stripe lacks, and amounts that differ. Ledger transactions must also balance
(the database guarantees it; checked anyway).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Sum

from . import processor
from .models import LedgerEntry, LedgerTransaction, Payment, Refund, Transfer


@dataclass(frozen=True)
class Difference:
    schema: str
    subject: str     # "payment 3f2…", "refund re_…", "transfer tr_…"
    problem: str
    ledger: int | str | None
    processor: int | str | None

    def __str__(self):
        return (f"{self.schema}: {self.subject}: {self.problem} "
                f"(ledger {self.ledger}, processor {self.processor})")


def _ledger_amount(kind: str, reference: str, account: str = "processor") -> int | None:
    txn = LedgerTransaction.objects.filter(kind=kind, reference=reference).first()
    if txn is None:
        return None
    total = txn.entries.filter(account=account).aggregate(total=Sum("amount_minor"))["total"]
    return abs(total or 0)


def reconcile_group() -> list[Difference]:
    schema = connection.schema_name
    stripe = processor.client()
    found: list[Difference] = []

    def diff(subject, problem, ledger, proc):
        found.append(Difference(schema, subject, problem, ledger, proc))

    unbalanced = (LedgerEntry.objects.values("transaction_id", "currency")
                  .annotate(total=Sum("amount_minor")).exclude(total=0))
    for row in unbalanced:
        diff(f"ledger transaction {row['transaction_id']}", "does not balance", row["total"], 0)

    for payment in Payment.objects.exclude(checkout_session_id__isnull=True,
                                           payment_intent_id__isnull=True).order_by("pk"):
        subject = f"payment {payment.public_id}"
        if payment.status != Payment.Status.SUCCEEDED:
            if payment.checkout_session_id:
                session = stripe.v1.checkout.sessions.retrieve(payment.checkout_session_id)
                if session.payment_status == "paid":
                    diff(subject, "paid at the processor but not settled here",
                         payment.status, session.payment_status)
            continue
        intent = stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
        charged = _ledger_amount(LedgerTransaction.Kind.CHARGE, payment.payment_intent_id)
        if intent.status != "succeeded" or intent.amount_received != charged:
            diff(subject, "charge differs", charged, intent.amount_received)
        if intent.latest_charge:
            charge = stripe.v1.charges.retrieve(intent.latest_charge)
            fee = stripe.v1.balance_transactions.retrieve(charge.balance_transaction).fee
            booked = LedgerTransaction.objects.filter(
                kind=LedgerTransaction.Kind.PROCESSOR_FEE, payment=payment).first()
            ledger_fee = _ledger_amount(LedgerTransaction.Kind.PROCESSOR_FEE,
                                        booked.reference) if booked else 0
            if fee != ledger_fee:
                diff(subject, "processor fee differs", ledger_fee, fee)
        # refunds, both ways
        theirs = {r.id: r for r in stripe.v1.refunds.list(
            params={"payment_intent": payment.payment_intent_id, "limit": 100}).data}
        ours = {r.stripe_refund_id: r for r in Refund.objects.filter(payment=payment)}
        for refund_id, refund in theirs.items():
            ledger = _ledger_amount(LedgerTransaction.Kind.REFUND, refund_id)
            if ledger is None:
                diff(f"refund {refund_id}", "at the processor, not in the ledger", None,
                     refund.amount)
            elif ledger != refund.amount:
                diff(f"refund {refund_id}", "amount differs", ledger, refund.amount)
        for refund_id, refund in ours.items():
            if refund_id is None:
                diff(f"refund {refund.idempotency_key}", "decided but not sent",
                     refund.amount_minor, None)
            elif refund_id not in theirs:
                diff(f"refund {refund_id}", "in the ledger, not at the processor",
                     refund.amount_minor, None)
    # transfers, both ways, per transfer group
    groups = set(Payment.objects.filter(status=Payment.Status.SUCCEEDED)
                 .values_list("transfer_group", flat=True))
    ours = {t.stripe_transfer_id: t for t in Transfer.objects.filter(
        stripe_transfer_id__isnull=False)}
    seen = set()
    for transfer_group in sorted(groups):
        for transfer in stripe.v1.transfers.list(params={"transfer_group": transfer_group,
                                                         "limit": 100}).data:
            seen.add(transfer.id)
            mine = ours.get(transfer.id)
            sent = _ledger_amount(LedgerTransaction.Kind.TRANSFER, transfer.id)
            if mine is None or sent is None:
                diff(f"transfer {transfer.id}", "at the processor, not in the ledger", sent,
                     transfer.amount)
                continue
            if sent != transfer.amount:
                diff(f"transfer {transfer.id}", "amount differs", sent, transfer.amount)
            reversed_ledger = sum(
                _ledger_amount(LedgerTransaction.Kind.REVERSAL, r.stripe_reversal_id) or 0
                for r in mine.reversals.exclude(stripe_reversal_id__isnull=True))
            if reversed_ledger != transfer.amount_reversed:
                diff(f"transfer {transfer.id}", "reversed amount differs", reversed_ledger,
                     transfer.amount_reversed)
    for transfer_id, transfer in ours.items():
        if transfer_id not in seen:
            diff(f"transfer {transfer_id}", "in the ledger, not at the processor",
                 transfer.amount_minor, None)
    return found
