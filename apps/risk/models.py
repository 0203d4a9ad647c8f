"""APT-1's model registry and each group's risk thresholds. Public schema.

A RiskModel row is one trained model: its files (ONNX, report) live in `path`, its holdout
metrics, feature list and library versions are recorded here. At most one is active; the
booking path and `score_bookings` use it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.groups.models import Group


class RiskModel(models.Model):
    version = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=120, help_text="synthetic, csv:<file>, platform")
    path = models.CharField(max_length=500, help_text="Folder with the ONNX files and report.")
    is_active = models.BooleanField(default=False)
    features = models.JSONField(default=list)
    metrics = models.JSONField(default=dict, help_text="Holdout metrics (calibrated score).")
    calibration = models.JSONField(default=dict)
    parity = models.JSONField(default=dict, help_text="Largest |ONNX - XGBoost| per graph.")
    library_versions = models.JSONField(default=dict)
    n_train = models.PositiveIntegerField(default=0)
    n_holdout = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="one_active_risk_model"),
        ]

    def __str__(self):
        return self.version

    @property
    def auc(self):
        return self.metrics.get("auc")

    @property
    def brier(self):
        return self.metrics.get("brier")


class RiskThresholds(models.Model):
    """Where a group's payment terms step up with the risk score. It never refuses a
    guest: a high score asks for a deposit, a higher one for full prepayment."""

    DEFAULT_DEPOSIT_FROM = 0.35
    DEFAULT_PREPAY_FROM = 0.60

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="risk_thresholds")
    deposit_from = models.FloatField(
        default=DEFAULT_DEPOSIT_FROM, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="From this probability of cancelling, ask at least a deposit.")
    prepay_from = models.FloatField(
        default=DEFAULT_PREPAY_FROM, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="From this probability, ask for full prepayment.")

    class Meta:
        verbose_name_plural = "risk thresholds"
        constraints = [
            models.CheckConstraint(condition=Q(deposit_from__lte=models.F("prepay_from")),
                                   name="deposit_threshold_below_prepay"),
        ]

    def __str__(self):
        return f"{self.group}: deposit from {self.deposit_from:.0%}, prepay from " \
               f"{self.prepay_from:.0%}"
