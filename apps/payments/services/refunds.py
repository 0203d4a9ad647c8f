"""Refunds: by the block's cancellation policy, partial, or automatic (a payment that
found no rooms). Each refund is divided over the parts of the payment it comes out of
(split.allocate over what is left of each part), and each party gives back its share:
a transfer not yet sent is reduced, a transfer already sent is reversed by that much.

The decision (Refund and TransferReversal rows, reduced transfers) is written inside the
caller's transaction; the Stripe calls run after commit with idempotency keys from
those rows, and `manage.py release_transfers` retries any that did not go through.
"""

import logging
from decimal import Decimal

from django.db import connection, transaction

from apps.bookings.models import Booking
from apps.core.exceptions import Unavailable

from .. import ledger, processor
from ..ledger import Line
from ..models import Account, LedgerTransaction, Payment, Refund, Transfer, TransferReversal
from ..notifications import refund_sent_notify
from ..split import PARTS, Split, allocate, round_half_up
from ..terms import terms_for

logger = logging.getLogger(__name__)


def refunded_split(payment: Payment) -> Split:
    parts = {part: 0 for part in PARTS}
    for refund in payment.refunds.all():
        for part in PARTS:
            parts[part] += getattr(refund, f"{part}_minor")
    return Split(payment.currency, **parts)


def refund_create(*, payment: Payment, amount_minor: int, reason: str) -> Refund | None:
    """Refund up to `amount_minor` of a settled payment (call with the payment locked,
    inside a transaction). Returns None when nothing is left to refund."""
    amount = min(amount_minor, payment.amount_minor - payment.refunded_minor)
    if amount <= 0:
        return None
    parts = allocate(amount, payment.split - refunded_split(payment))
    number = payment.refunds.count() + 1
    refund = Refund.objects.create(
        booking=payment.booking, payment=payment, currency=payment.currency,
        amount_minor=amount, hotel_minor=parts.hotel, agency_minor=parts.agency,
        platform_minor=parts.platform, taxes_minor=parts.taxes, reason=reason[:40],
        idempotency_key=f"{connection.schema_name}:refund:{payment.public_id}:{number}")
    Payment.objects.filter(pk=payment.pk).update(refunded_minor=payment.refunded_minor + amount)
    payment.refunded_minor += amount
    for transfer in Transfer.objects.select_for_update().filter(payment=payment).order_by("pk"):
        owed_back = (parts.hotel + parts.taxes if transfer.party == Transfer.Party.HOTEL
                     else parts.agency)
        if owed_back <= 0:
            continue
        if transfer.status == Transfer.Status.SENDING:
            raise Unavailable("A payout for this booking is being sent right now. Please try "
                              "again in a minute.", code="payout_in_progress")
        if transfer.status == Transfer.Status.SCHEDULED:
            transfer.amount_minor -= min(owed_back, transfer.amount_minor)
            if transfer.amount_minor == 0:
                transfer.status = Transfer.Status.CANCELLED
            transfer.save(update_fields=["amount_minor", "status"])
        elif transfer.status == Transfer.Status.SENT:
            already = sum(transfer.reversals.values_list("amount_minor", flat=True))
            back = min(owed_back, transfer.amount_minor - already)
            if back > 0:
                TransferReversal.objects.create(
                    transfer=transfer, refund=refund, amount_minor=back,
                    idempotency_key=f"{refund.idempotency_key}:{transfer.party}")
    refund_id = refund.pk
    # robust: a Stripe outage must not undo the guest's cancellation; release_transfers
    # retries the refund.
    transaction.on_commit(lambda: refund_send(refund_id=refund_id, quick=True), robust=True)
    return refund


def refund_send(*, refund_id: int, quick: bool = False) -> Refund:
    """Make the refund and its reversals at Stripe (idempotent; safe to run again)."""
    refund = Refund.objects.select_related("payment", "booking__block").get(pk=refund_id)
    payment = refund.payment
    stripe = processor.client(quick=quick)
    if not refund.stripe_refund_id:
        made = stripe.v1.refunds.create(params={
            "payment_intent": payment.payment_intent_id, "amount": refund.amount_minor,
            "metadata": {"ancile_schema": connection.schema_name,
                         "ancile_payment": str(payment.public_id),
                         "ancile_reason": refund.reason}},
            options={"idempotency_key": refund.idempotency_key})
        hotel_id, agency_id = _parties(payment)
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(stripe_refund_id=made.id)
            refund.stripe_refund_id = made.id
            ledger.post(kind=LedgerTransaction.Kind.REFUND, reference=made.id,
                        currency=refund.currency, booking=refund.booking, payment=payment,
                        memo=refund.reason, lines=[
                            Line(Account.HOTEL_PAYABLE, refund.hotel_minor, hotel_id=hotel_id),
                            Line(Account.TAXES_PAYABLE, refund.taxes_minor, hotel_id=hotel_id),
                            Line(Account.AGENCY_PAYABLE, refund.agency_minor,
                                 agency_id=agency_id),
                            Line(Account.PLATFORM_REVENUE, refund.platform_minor),
                            Line(Account.PROCESSOR, -refund.amount_minor)])
        try:
            refund_sent_notify(refund_id=refund.pk)
        except Exception:  # noqa: BLE001 - the money is back; a lost e-mail is logged
            logger.exception("refund e-mail for %s not sent", refund.stripe_refund_id)
    for reversal in refund.reversals.filter(stripe_reversal_id__isnull=True).select_related(
            "transfer"):
        reversal_send(reversal=reversal, refund=refund, quick=quick)
    return refund


def reversal_send(*, reversal: TransferReversal, refund: Refund, quick: bool = False) -> None:
    transfer = reversal.transfer
    made = processor.client(quick=quick).v1.transfers.reversals.create(
        transfer.stripe_transfer_id, params={"amount": reversal.amount_minor, "metadata": {
            "ancile_refund": refund.stripe_refund_id or ""}},
        options={"idempotency_key": reversal.idempotency_key})
    hotel_id, agency_id = _parties(refund.payment)
    if transfer.party == Transfer.Party.HOTEL:
        taxes = min(reversal.amount_minor, refund.taxes_minor)
        lines = [Line(Account.PROCESSOR, reversal.amount_minor),
                 Line(Account.TAXES_PAYABLE, -taxes, hotel_id=hotel_id),
                 Line(Account.HOTEL_PAYABLE, -(reversal.amount_minor - taxes),
                      hotel_id=hotel_id)]
    else:
        lines = [Line(Account.PROCESSOR, reversal.amount_minor),
                 Line(Account.AGENCY_PAYABLE, -reversal.amount_minor, agency_id=agency_id)]
    with transaction.atomic():
        TransferReversal.objects.filter(pk=reversal.pk).update(stripe_reversal_id=made.id)
        Transfer.objects.filter(pk=transfer.pk).update(
            reversed_minor=transfer.reversed_minor + reversal.amount_minor)
        ledger.post(kind=LedgerTransaction.Kind.REVERSAL, reference=made.id,
                    currency=refund.currency, booking=refund.booking, payment=refund.payment,
                    lines=lines, memo=f"{transfer.party} gives back for {refund.reason}")


def refunds_retry() -> int:
    """Send refunds and reversals that were decided but did not reach Stripe."""
    count = 0
    pending = Refund.objects.filter(stripe_refund_id__isnull=True)
    pending_reversals = Refund.objects.filter(reversals__stripe_reversal_id__isnull=True)
    for refund in (pending | pending_reversals).distinct().order_by("pk"):
        try:
            refund_send(refund_id=refund.pk)
            count += 1
        except Exception:  # noqa: BLE001 - logged; tried again next time
            logger.exception("refund %s could not be sent", refund.idempotency_key)
    return count


def _parties(payment: Payment) -> tuple[int, int]:
    block = (payment.booking or payment.hold).block
    return block.hotel_id, connection.tenant.agency_id


def policy_refund_percent(booking: Booking, *, today=None) -> Decimal:
    """Within the free-cancellation period everything paid comes back; after it, the
    block's late_cancel_refund_percent."""
    from apps.bookings.services.bookings import free_cancellation_over

    if not free_cancellation_over(booking, today=today):
        return Decimal(100)
    return terms_for(booking.block).late_cancel_refund_percent


def booking_refund_by_policy(*, booking: Booking) -> list[Refund]:
    """For a booking just cancelled (inside its transaction): refund each settled payment
    by the policy, and drop a balance not yet charged."""
    payments = list(Payment.objects.select_for_update().filter(booking=booking).order_by("pk"))
    if not payments:
        return []
    percent = policy_refund_percent(booking)
    refunds = []
    for payment in payments:
        if payment.status == Payment.Status.PENDING and payment.kind == Payment.Kind.BALANCE:
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status", "updated_at"])
        if payment.status != Payment.Status.SUCCEEDED:
            continue
        # The policy says how much of the payment the guest gets back in all: a refund
        # made earlier (goodwill, a change) counts towards it.
        owed = round_half_up(Decimal(payment.amount_minor) * percent / 100)
        amount = owed - payment.refunded_minor
        if amount <= 0:
            continue
        refund = refund_create(payment=payment, amount_minor=amount,
                               reason="cancelled" if percent == 100 else "cancelled_late")
        if refund is not None:
            refunds.append(refund)
    return refunds
