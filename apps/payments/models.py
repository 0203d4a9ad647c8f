"""Guest payments, transfers to hotels and agencies, refunds, disputes and the ledger
(group schema). Amounts are integer minor units of `currency`; see apps.payments.split."""

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.bookings.models import Booking, Hold
from apps.inventory.models import RoomBlock


class PayoutTiming(models.TextChoices):
    AT_BOOKING = "at_booking", "When the guest pays"
    AT_CUTOFF = "at_cutoff", "At the block's cutoff date"
    AFTER_CHECK_IN = "after_check_in", "The day after check-in"


class PaymentTerms(models.Model):
    """How guests of one block pay online, and when the money moves on. A block without
    terms uses the defaults below; RoomBlock.payment_mode says whether guests pay online
    at all (pay at hotel / prepay / deposit)."""

    class DepositKind(models.TextChoices):
        PERCENT = "percent", "A percentage of the total"
        FIRST_NIGHT = "first_night", "The first night"

    block = models.OneToOneField(RoomBlock, on_delete=models.CASCADE,
                                 related_name="payment_terms")
    deposit_kind = models.CharField(max_length=12, choices=DepositKind.choices,
                                    default=DepositKind.PERCENT)
    deposit_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(30),
                                          validators=[MinValueValidator(1),
                                                      MaxValueValidator(100)])
    balance_due_days = models.PositiveSmallIntegerField(
        default=30, help_text="The balance is charged this many days before arrival.")
    hotel_payout = models.CharField(max_length=16, choices=PayoutTiming.choices,
                                    default=PayoutTiming.AFTER_CHECK_IN,
                                    help_text="When the hotel's share is transferred (the float).")
    agency_payout = models.CharField(max_length=16, choices=PayoutTiming.choices,
                                     default=PayoutTiming.AT_BOOKING)
    late_cancel_refund_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of what was paid that is refunded when a guest cancels after the "
                  "free-cancellation period (within it, everything is refunded).")

    class Meta:
        verbose_name_plural = "payment terms"

    def __str__(self):
        return f"Payment terms of {self.block}"


class Payment(models.Model):
    """One charge of a guest's card: the full price, a deposit or the balance."""

    class Kind(models.TextChoices):
        FULL = "full", "Full prepayment"
        DEPOSIT = "deposit", "Deposit"
        BALANCE = "balance", "Balance"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the guest"
        SUCCEEDED = "succeeded", "Paid"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Abandoned"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="payments")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    currency = models.CharField(max_length=3)
    amount_minor = models.PositiveIntegerField()
    # The split of this charge (apps.payments.split), fixed when it is created.
    hotel_minor = models.PositiveIntegerField()
    agency_minor = models.PositiveIntegerField()
    platform_minor = models.PositiveIntegerField()
    taxes_minor = models.PositiveIntegerField()
    refunded_minor = models.PositiveIntegerField(default=0)
    guest = models.JSONField(default=dict, help_text="Details the guest entered before paying.")
    transfer_group = models.CharField(max_length=80)
    checkout_session_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    checkout_url = models.URLField(max_length=500, blank=True)
    payment_intent_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    charge_id = models.CharField(max_length=100, blank=True)
    customer_id = models.CharField(max_length=100, blank=True)
    payment_method_id = models.CharField(max_length=100, blank=True)
    processor_fee_minor = models.PositiveIntegerField(default=0)
    failure_code = models.CharField(max_length=60, blank=True)
    # What became of a successful payment: a booking, or an automatic refund when the
    # hold had expired and its rooms were gone by the time the money arrived.
    outcome = models.CharField(max_length=20, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="Balance: when it is charged.")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor=models.F("hotel_minor") + models.F("agency_minor")
                            + models.F("platform_minor") + models.F("taxes_minor")),
                name="payment_split_adds_up"),
            models.CheckConstraint(condition=Q(refunded_minor__lte=models.F("amount_minor")),
                                   name="payment_never_refunds_more_than_paid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount_minor} {self.currency} ({self.status})"

    @property
    def split(self):
        from .split import Split

        return Split(self.currency, hotel=self.hotel_minor, agency=self.agency_minor,
                     platform=self.platform_minor, taxes=self.taxes_minor)


class Transfer(models.Model):
    """Money moved on from the platform to a hotel's or agency's connected account."""

    class Party(models.TextChoices):
        HOTEL = "hotel", "Hotel"
        AGENCY = "agency", "Agency"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="transfers")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="transfers")
    party = models.CharField(max_length=8, choices=Party.choices)
    currency = models.CharField(max_length=3)
    amount_minor = models.PositiveIntegerField()
    reversed_minor = models.PositiveIntegerField(default=0)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    destination = models.CharField(max_length=64, blank=True)
    stripe_transfer_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "party"], name="one_transfer_per_party"),
            models.CheckConstraint(condition=Q(reversed_minor__lte=models.F("amount_minor")),
                                   name="transfer_never_reverses_more_than_sent"),
        ]

    def __str__(self):
        return f"{self.party} {self.amount_minor} {self.currency} ({self.status})"


class TransferReversal(models.Model):
    """Taking back (part of) a transfer already sent, when the guest is refunded."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="reversals")
    refund = models.ForeignKey("Refund", on_delete=models.PROTECT, related_name="reversals")
    amount_minor = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    stripe_reversal_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Reversal {self.amount_minor} of {self.transfer}"


class Refund(models.Model):
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    currency = models.CharField(max_length=3)
    amount_minor = models.PositiveIntegerField()
    hotel_minor = models.PositiveIntegerField()
    agency_minor = models.PositiveIntegerField()
    platform_minor = models.PositiveIntegerField()
    taxes_minor = models.PositiveIntegerField()
    reason = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    stripe_refund_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Refund {self.amount_minor} {self.currency} ({self.reason})"


class Dispute(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="disputes")
    stripe_dispute_id = models.CharField(max_length=100, unique=True)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Dispute {self.stripe_dispute_id} ({self.status})"


class Account(models.TextChoices):
    """Ledger accounts. Debits are positive, credits negative; every transaction sums
    to zero per currency (a deferred constraint trigger refuses to commit one that
    does not)."""

    PROCESSOR = "processor", "Platform balance at the processor"
    HOTEL_PAYABLE = "hotel_payable", "Owed to hotels"
    AGENCY_PAYABLE = "agency_payable", "Owed to agencies"
    TAXES_PAYABLE = "taxes_payable", "Taxes collected for hotels"
    PLATFORM_REVENUE = "platform_revenue", "Platform revenue"
    PROCESSOR_FEES = "processor_fees", "Processor fees"
    GUEST = "guest", "Guests (paid in, refunded out)"
    DISPUTES = "disputes", "Disputed funds"


class LedgerTransaction(models.Model):
    class Kind(models.TextChoices):
        CHARGE = "charge", "Guest charge"
        PROCESSOR_FEE = "processor_fee", "Processor fee"
        TRANSFER = "transfer", "Transfer to a hotel or agency"
        REFUND = "refund", "Refund to the guest"
        REVERSAL = "reversal", "Transfer reversal"
        DISPUTE = "dispute", "Dispute"

    kind = models.CharField(max_length=14, choices=Kind.choices)
    reference = models.CharField(max_length=200, help_text="The processor object it records.")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ledger_transactions")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ledger_transactions")
    currency = models.CharField(max_length=3)
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "reference"],
                                    name="one_ledger_transaction_per_movement"),
        ]

    def __str__(self):
        return f"{self.kind} {self.reference}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT,
                                    related_name="entries")
    account = models.CharField(max_length=16, choices=Account.choices)
    amount_minor = models.BigIntegerField(help_text="Debit positive, credit negative.")
    currency = models.CharField(max_length=3)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="ledger_entries")
    hotel_id = models.BigIntegerField(null=True, blank=True)
    agency_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["transaction", "pk"]
        indexes = [models.Index(fields=["account", "currency"], name="ledger_account_currency")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_entry_not_zero"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount_minor:+d} {self.currency}"
