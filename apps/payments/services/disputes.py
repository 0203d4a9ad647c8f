"""Disputes (chargebacks): recorded, with the money the processor takes (and gives back
when the dispute is won) in the ledger."""

from django.db import transaction

from .. import ledger
from ..ledger import Line
from ..models import Account, Dispute, LedgerTransaction, Payment


def dispute_record(*, obj: dict) -> Dispute | None:
    payment = Payment.objects.filter(payment_intent_id=obj.get("payment_intent")).first()
    if payment is None:
        return None
    with transaction.atomic():
        dispute, _ = Dispute.objects.select_for_update().get_or_create(
            stripe_dispute_id=obj["id"], defaults=dict(
                payment=payment, amount_minor=obj["amount"],
                currency=obj["currency"].upper(), reason=obj.get("reason") or "",
                status=obj.get("status") or ""))
        dispute.status = obj.get("status") or dispute.status
        dispute.save(update_fields=["status", "updated_at"])
        amount = dispute.amount_minor
        ledger.post(kind=LedgerTransaction.Kind.DISPUTE, reference=f"{dispute.stripe_dispute_id}",
                    currency=payment.currency, booking=payment.booking, payment=payment,
                    memo=f"dispute opened: {dispute.reason}",
                    lines=[Line(Account.DISPUTES, amount), Line(Account.PROCESSOR, -amount)])
        if dispute.status == "won":
            ledger.post(kind=LedgerTransaction.Kind.DISPUTE,
                        reference=f"{dispute.stripe_dispute_id}:won", currency=payment.currency,
                        booking=payment.booking, payment=payment, memo="dispute won",
                        lines=[Line(Account.PROCESSOR, amount),
                               Line(Account.DISPUTES, -amount)])
    return dispute
