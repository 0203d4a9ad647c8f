"""Writes for APT-1: registering a trained model, activating one, setting thresholds."""

from __future__ import annotations

from django.db import transaction

from .models import RiskModel, RiskThresholds


def risk_model_register(*, result, activate: bool = True) -> RiskModel:
    """Record a trained model (ml.train.TrainResult) in the registry."""
    with transaction.atomic():
        model = RiskModel.objects.create(
            version=result.version, source=result.source[:120], path=str(result.directory),
            features=list(result.features), metrics=result.metrics_json(),
            calibration=result.calibration, parity=result.parity,
            library_versions=result.library_versions, n_train=result.report["n_train"],
            n_holdout=result.report["n_holdout"])
        if activate:
            risk_model_activate(model=model)
    return model


def risk_model_activate(*, model: RiskModel) -> RiskModel:
    """Make `model` the one the booking path uses (processes pick it up within
    RISK_MODEL_RECHECK_SECONDS)."""
    with transaction.atomic():
        RiskModel.objects.select_for_update().filter(is_active=True).exclude(
            pk=model.pk).update(is_active=False)
        RiskModel.objects.filter(pk=model.pk).update(is_active=True)
    model.is_active = True
    return model


def risk_thresholds_set(*, group, deposit_from: float, prepay_from: float) -> RiskThresholds:
    thresholds, _ = RiskThresholds.objects.update_or_create(
        group=group, defaults={"deposit_from": deposit_from, "prepay_from": prepay_from})
    return thresholds
