"""What happens when Stripe says a payment succeeded, failed or was abandoned.

Called by the webhook and by the guest's redirect back from Checkout, in any order, any
number of times: a payment is settled once (its row is locked and its status checked),
and a hold is confirmed into at most one booking.

1. The hold is confirmed through bookings' own `booking_confirm` (block lock, row locks).
   A hold that expired meanwhile is confirmed only if its rooms are still free; if they
   are gone (or the guest gave them back) the booking is refused and the money goes back.
2. Then, under the block lock, the booking row and the payment row are locked and the
   payment recorded: the charge in the ledger, transfers scheduled by the float, the
   balance of a deposit set up. A second payment for a hold that is already paid (two
   tabs) is refunded in full, automatically.
3. Stripe calls (refund, fee look-up, transfers due now) run after commit.
"""

import logging

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.bookings import locks
from apps.bookings.models import Booking
from apps.bookings.services import GuestDetails, booking_confirm
from apps.bookings.services.holds import busy_error, database_busy
from apps.connect.models import PaymentRoute
from apps.core.exceptions import Conflict

from .. import ledger, processor
from ..ledger import Line
from ..models import Account, LedgerTransaction, Payment
from ..notifications import payment_refunded_notify
from ..split import allocate
from ..terms import whole_split
from .refunds import refund_create
from .transfers import transfers_schedule

logger = logging.getLogger(__name__)

FIRST_PAYMENTS = [Payment.Kind.FULL, Payment.Kind.DEPOSIT]


def party_ids(payment: Payment) -> tuple[int, int]:
    block = (payment.booking or payment.hold).block
    return block.hotel_id, connection.tenant.agency_id


def charge_lines(payment: Payment) -> list[Line]:
    hotel_id, agency_id = party_ids(payment)
    return [Line(Account.PROCESSOR, payment.amount_minor),
            Line(Account.HOTEL_PAYABLE, -payment.hotel_minor, hotel_id=hotel_id),
            Line(Account.TAXES_PAYABLE, -payment.taxes_minor, hotel_id=hotel_id),
            Line(Account.AGENCY_PAYABLE, -payment.agency_minor, agency_id=agency_id),
            Line(Account.PLATFORM_REVENUE, -payment.platform_minor)]


def payment_succeeded(*, payment: Payment, payment_intent_id: str, customer_id: str = "",
                      payment_method_id: str = "") -> Payment:
    if payment.status == Payment.Status.SUCCEEDED:
        return payment
    booking, refusal = None, None
    if payment.kind in FIRST_PAYMENTS:
        try:
            booking = booking_confirm(hold=payment.hold, guest=GuestDetails(**payment.guest))
        except Conflict as error:  # rooms gone after the hold lapsed, or given back
            refusal = error
    else:
        booking = payment.booking
    block = (booking or payment.hold).block
    try:
        with locks.block_lock(block), transaction.atomic():
            if booking is not None:
                booking = locks.lock_booking(booking.pk)
            payment = Payment.objects.select_for_update().get(pk=payment.pk)
            if payment.status == Payment.Status.SUCCEEDED:
                return payment
            payment.status = Payment.Status.SUCCEEDED
            payment.payment_intent_id = payment_intent_id
            payment.customer_id = customer_id or payment.customer_id
            payment.payment_method_id = payment_method_id or payment.payment_method_id
            payment.paid_at = timezone.now()
            payment.save()
            PaymentRoute.objects.get_or_create(payment_intent_id=payment_intent_id,
                                               defaults={"schema_name":
                                                         connection.schema_name})
            _record(payment, booking, refusal)
    except OperationalError as error:
        if database_busy(error):
            raise busy_error() from error
        raise
    payment_id = payment.pk
    transaction.on_commit(lambda: payment_fee_record(payment_id=payment_id, quick=True),
                          robust=True)
    return payment


def _record(payment: Payment, booking: Booking | None, refusal: Conflict | None) -> None:
    if booking is not None and payment.kind in FIRST_PAYMENTS:
        already_paid = (Payment.objects.filter(booking=booking, kind__in=FIRST_PAYMENTS,
                                               status=Payment.Status.SUCCEEDED)
                        .exclude(pk=payment.pk).exists())
        if already_paid:
            refusal = Conflict("This booking was already paid for; the second payment is "
                               "refunded.", code="already_paid")
    if booking is not None and booking.status != Booking.Status.CONFIRMED and refusal is None:
        refusal = Conflict("This booking was cancelled before the payment arrived.",
                           code="booking_cancelled")
    payment.booking = booking if refusal is None or refusal.code == "booking_cancelled" \
        else payment.booking
    # On the payment's booking, as its refund will be: the two net to zero there.
    ledger.post(kind=LedgerTransaction.Kind.CHARGE, reference=payment.payment_intent_id,
                currency=payment.currency, lines=charge_lines(payment),
                booking=payment.booking, payment=payment,
                memo=f"{payment.get_kind_display()} for {booking.reference if booking else '-'}")
    if refusal is not None:
        payment.outcome = "refunded"
        payment.failure_code = refusal.code
        payment.save()
        logger.warning("payment %s refunded automatically: %s", payment.public_id,
                       refusal.code)
        refund_create(payment=payment, amount_minor=payment.amount_minor,
                      reason=refusal.code)
        payment_pk, message = payment.pk, refusal.message
        transaction.on_commit(lambda: payment_refunded_notify(payment_id=payment_pk,
                                                              reason=message), robust=True)
        return
    payment.outcome = "booked"
    payment.save()
    transfers_schedule(payment=payment, booking=booking)
    if payment.kind == Payment.Kind.DEPOSIT:
        _balance_create(payment, booking)


def _balance_create(deposit: Payment, booking: Booking) -> Payment:
    whole = whole_split(deposit.hold)
    balance = whole - deposit.split
    if min(balance.parts().values()) < 0:  # fee rules changed since the deposit
        balance = allocate(max(0, whole.total - deposit.amount_minor), whole)
    return Payment.objects.create(
        hold=deposit.hold, booking=booking, kind=Payment.Kind.BALANCE,
        currency=deposit.currency, amount_minor=balance.total, hotel_minor=balance.hotel,
        agency_minor=balance.agency, platform_minor=balance.platform,
        taxes_minor=balance.taxes, guest=deposit.guest, due_on=deposit.due_on,
        transfer_group=deposit.transfer_group, customer_id=deposit.customer_id,
        payment_method_id=deposit.payment_method_id)


def payment_failed(*, payment: Payment, code: str) -> Payment:
    """A card declined or 3-D Secure failed. On Checkout the guest may simply try again
    on the same page, so a first payment stays pending; a balance charge fails."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.PENDING:
            return payment  # late or out-of-order news about a settled payment
        payment.failure_code = code
        if payment.kind == Payment.Kind.BALANCE:
            payment.status = Payment.Status.FAILED
        payment.save(update_fields=["failure_code", "status", "updated_at"])
    return payment


def payment_expired(*, payment: Payment) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == Payment.Status.PENDING:
            payment.status = Payment.Status.EXPIRED
            payment.save(update_fields=["status", "updated_at"])
    return payment


def payment_fee_record(*, payment_id: int, quick: bool = False) -> None:
    """Look up the processor's fee for a settled charge and book it (after commit, and
    from release_transfers for any still missing)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.charge_id and payment.processor_fee_minor:
        return
    try:
        stripe = processor.client(quick=quick)
        intent = stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
        charge = stripe.v1.charges.retrieve(intent.latest_charge)
        txn = stripe.v1.balance_transactions.retrieve(charge.balance_transaction)
    except Exception:  # noqa: BLE001 - logged; reconcile_payments lists what is missing
        logger.exception("could not read the fee of payment %s", payment.public_id)
        return
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        payment.charge_id, payment.processor_fee_minor = charge.id, txn.fee
        payment.customer_id = payment.customer_id or (intent.customer or "")
        payment.payment_method_id = payment.payment_method_id or (intent.payment_method or "")
        payment.save()
        # The balance charges the card saved with the deposit. Settled from the return
        # page or the Checkout event, the deposit knew its customer but not yet its card.
        if payment.payment_method_id:
            (Payment.objects.filter(kind=Payment.Kind.BALANCE, hold=payment.hold,
                                    status=Payment.Status.PENDING)
             .filter(Q(customer_id="") | Q(payment_method_id=""))
             .update(customer_id=payment.customer_id,
                     payment_method_id=payment.payment_method_id))
        if txn.fee:
            ledger.post(kind=LedgerTransaction.Kind.PROCESSOR_FEE, reference=txn.id,
                        currency=payment.currency, booking=payment.booking, payment=payment,
                        lines=[Line(Account.PROCESSOR_FEES, txn.fee),
                               Line(Account.PROCESSOR, -txn.fee)])


def fees_record_missing() -> int:
    """Book the fee of every settled payment whose fee lookup after commit did not reach
    Stripe (release_transfers runs this first: a deposit's card reaches its balance here).
    Returns how many were looked up."""
    missing = list(Payment.objects.filter(status=Payment.Status.SUCCEEDED, charge_id="",
                                          payment_intent_id__gt="")
                   .values_list("pk", flat=True))
    for payment_id in missing:
        payment_fee_record(payment_id=payment_id)
    return len(missing)


def booking_change_check(*, booking: Booking, new_total_minor: int) -> None:
    """A booking paid online keeps its price: a change that costs more or less would need
    a new charge or a refund, which guests cannot do on the manage page yet."""
    if new_total_minor == booking.total_minor:
        return
    if Payment.objects.filter(booking=booking, status=Payment.Status.SUCCEEDED).exists():
        raise Conflict("This booking is paid online, and the change would alter its price. "
                       "Please contact the organisers to change it.",
                       code="paid_booking_price_change")
