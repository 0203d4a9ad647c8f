import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.risk.models import RiskModel
from tests.ml.conftest import SAMPLE

from .conftest import SMALL


def train(*args) -> str:
    out = StringIO()
    call_command("train_risk", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_synthetic_training_registers_an_active_model(model_dir, tmp_path):
    metrics = tmp_path / "metrics.json"
    output = train("--source", "synthetic", *SMALL, "--metrics-json", str(metrics))
    model = RiskModel.objects.get(is_active=True)
    assert model.source == "synthetic" and model.version in output
    assert Path(model.path).parent == model_dir
    assert (Path(model.path) / "model.onnx").exists()
    assert (Path(model.path) / "report.md").exists()
    assert model.features and "lead_time_days" in model.features
    assert set(model.library_versions) >= {"xgboost", "onnxruntime", "onnx", "numpy"}
    assert max(model.parity.values()) <= 1e-5
    written = json.loads(metrics.read_text())
    assert set(written) >= {"auc", "brier", "log_loss", "n_train", "n_holdout"}
    assert written["auc"] == pytest.approx(model.metrics["auc"])
    assert written["n_train"] + written["n_holdout"] == 2500


@pytest.mark.django_db
def test_if_missing_keeps_the_active_model_and_a_new_one_replaces_it(model_dir):
    train("--source", "synthetic", *SMALL)
    first = RiskModel.objects.get(is_active=True)
    assert "nothing to do" in train("--source", "synthetic", "--if-missing", *SMALL)
    assert RiskModel.objects.count() == 1
    train("--source", "synthetic", "--seed", "3", *SMALL)
    assert RiskModel.objects.filter(is_active=True).count() == 1
    assert RiskModel.objects.get(is_active=True).pk != first.pk


@pytest.mark.django_db
def test_bad_sources_are_explained(model_dir, tmp_path):
    with pytest.raises(CommandError, match="synthetic \\| csv PATH \\| platform"):
        train("--source", "csv")
    with pytest.raises(CommandError, match="no such file"):
        train("--source", "csv", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="too few"):
        train("--source", "platform", "--no-progress")   # no bookings yet


@pytest.mark.django_db
def test_csv_source_on_the_real_sample(model_dir, tmp_path):
    metrics = tmp_path / "m.json"
    train("--source", "csv", str(SAMPLE), "--trees", "200", "--no-progress",
          "--metrics-json", str(metrics))
    written = json.loads(metrics.read_text())
    assert written["auc"] >= 0.85 and written["n_holdout"] == 3735
