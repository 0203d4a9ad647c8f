"""Moving each party's share on: transfers to the hotel (net + taxes + fees) and the
agency (markup less the platform fee), on the dates the block's float says.

A transfer is scheduled when a payment settles and sent when due (`manage.py
release_transfers`, or at once after commit when due today). Its idempotency key is
derived from the booking, the payment and the party, so sending it again - after a crash,
from two workers - never pays anyone twice. Transfers wait (and say so) while the party
has no connected account able to receive payouts.
"""

import logging
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from apps.bookings.models import Booking
from apps.connect.models import ConnectedAccount

from .. import ledger, processor
from ..ledger import Line
from ..models import Account, LedgerTransaction, Payment, Transfer
from ..terms import payout_date, terms_for

logger = logging.getLogger(__name__)


def transfer_key(booking: Booking, payment: Payment, party: str) -> str:
    return f"{connection.schema_name}:{booking.reference}:{payment.kind}:{party}"


def transfers_schedule(*, payment: Payment, booking: Booking) -> list[Transfer]:
    """Inside the settling transaction: one transfer per party with something to get."""
    terms = terms_for(booking.block)
    today = timezone.localdate()
    made = []
    for party, amount, timing in (
            (Transfer.Party.HOTEL, payment.hotel_minor + payment.taxes_minor,
             terms.hotel_payout),
            (Transfer.Party.AGENCY, payment.agency_minor, terms.agency_payout)):
        if amount <= 0:
            continue
        made.append(Transfer.objects.create(
            booking=booking, payment=payment, party=party, currency=payment.currency,
            amount_minor=amount, idempotency_key=transfer_key(booking, payment, party),
            due_on=payout_date(timing, block=booking.block, check_in=booking.check_in,
                               paid_on=today)))
    if any(t.due_on <= today for t in made):
        booking_id = booking.pk
        transaction.on_commit(lambda: transfers_release(booking_id=booking_id, quick=True),
                              robust=True)
    return made


def destination_for(transfer: Transfer) -> ConnectedAccount | None:
    if transfer.party == Transfer.Party.HOTEL:
        return ConnectedAccount.objects.filter(hotel_id=transfer.booking.block.hotel_id).first()
    return ConnectedAccount.objects.filter(agency_id=connection.tenant.agency_id).first()


@dataclass
class ReleaseResult:
    sent: list[Transfer]
    waiting: list[tuple[Transfer, str]]
    failed: list[tuple[Transfer, str]]


def transfers_release(*, today: date | None = None, booking_id: int | None = None,
                      retry_sending: bool = False, quick: bool = False) -> ReleaseResult:
    """Send every scheduled transfer due by `today` in the current group (`quick`: see
    processor.client)."""
    today = today or timezone.localdate()
    statuses = [Transfer.Status.SCHEDULED] + ([Transfer.Status.SENDING] if retry_sending
                                              else [])
    due = Transfer.objects.filter(status__in=statuses, due_on__lte=today).select_related(
        "booking__block", "payment")
    if booking_id is not None:
        due = due.filter(booking_id=booking_id)
    result = ReleaseResult(sent=[], waiting=[], failed=[])
    for transfer in due.order_by("pk"):
        # One already "sending" may have been made: it is asked about again, to the
        # destination it was sent to, whatever that account's state is now.
        resending = transfer.status == Transfer.Status.SENDING
        account = None if resending else destination_for(transfer)
        if not resending and (account is None or not account.ready):
            result.waiting.append((transfer, "no connected account ready for payouts"))
            continue
        with transaction.atomic():  # claim it: a refund meanwhile waits for the outcome
            claimed = Transfer.objects.select_for_update().get(pk=transfer.pk)
            if claimed.status not in statuses:
                continue
            if claimed.amount_minor == 0:
                claimed.status = Transfer.Status.CANCELLED
                claimed.save(update_fields=["status"])
                continue
            if not resending:
                claimed.status = Transfer.Status.SENDING
                claimed.destination = account.stripe_account_id
                claimed.save(update_fields=["status", "destination"])
        try:
            stripe_client = processor.client(quick=quick)
            sent = (_made_before(stripe_client, claimed, transfer.payment.transfer_group)
                    if resending else None)
            sent = sent or stripe_client.v1.transfers.create(params={
                "amount": claimed.amount_minor,
                "currency": processor.stripe_currency(claimed.currency),
                "destination": claimed.destination,
                "transfer_group": transfer.payment.transfer_group,
                "metadata": {"ancile_schema": connection.schema_name,
                             "ancile_booking": transfer.booking.reference,
                             "ancile_party": claimed.party,
                             "ancile_transfer": claimed.idempotency_key}},
                options={"idempotency_key": claimed.idempotency_key})
        except Exception as error:  # noqa: BLE001 - reported; the next run retries it
            logger.exception("transfer %s failed", claimed.idempotency_key)
            # No answer: it may have been made, so it stays "sending" (no refund changes
            # its amount) until the next run finds it. Refused: free to change, sent later.
            if not processor.outcome_unknown(error):
                Transfer.objects.filter(pk=claimed.pk).update(
                    status=Transfer.Status.SCHEDULED)
            result.failed.append((claimed, str(error)))
            continue
        with transaction.atomic():
            claimed = Transfer.objects.select_for_update().get(pk=claimed.pk)
            claimed.status = Transfer.Status.SENT
            claimed.stripe_transfer_id = sent.id
            claimed.sent_at = timezone.now()
            claimed.save(update_fields=["status", "stripe_transfer_id", "sent_at"])
            ledger.post(kind=LedgerTransaction.Kind.TRANSFER, reference=sent.id,
                        currency=claimed.currency, booking=transfer.booking,
                        payment=transfer.payment, lines=transfer_lines(claimed),
                        memo=f"{claimed.party} {transfer.booking.reference}")
        result.sent.append(claimed)
    return result


def _made_before(stripe_client, transfer: Transfer, transfer_group: str):
    """The Stripe transfer an earlier try made for this one, if any. Asked by its group and
    our key in its metadata rather than by replaying the idempotency key, which Stripe
    forgets after 24 hours."""
    listed = stripe_client.v1.transfers.list(params={"transfer_group": transfer_group,
                                                      "limit": 100})
    return next((made for made in listed.data
                 if made.metadata and made.metadata.to_dict().get("ancile_transfer")
                 == transfer.idempotency_key), None)


def transfer_lines(transfer: Transfer) -> list[Line]:
    payment = transfer.payment
    block = transfer.booking.block
    amount = transfer.amount_minor
    if transfer.party == Transfer.Party.AGENCY:
        agency_id = connection.tenant.agency_id
        return [Line(Account.AGENCY_PAYABLE, amount, agency_id=agency_id),
                Line(Account.PROCESSOR, -amount)]
    # The hotel's transfer carries the taxes it remits: those first, the rest is its own.
    taxes = min(amount, payment.taxes_minor - _taxes_refunded(payment))
    return [Line(Account.TAXES_PAYABLE, taxes, hotel_id=block.hotel_id),
            Line(Account.HOTEL_PAYABLE, amount - taxes, hotel_id=block.hotel_id),
            Line(Account.PROCESSOR, -amount)]


def _taxes_refunded(payment: Payment) -> int:
    return sum(payment.refunds.values_list("taxes_minor", flat=True))
