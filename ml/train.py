"""Training: time-ordered split, XGBoost, Platt calibration, report, ONNX export with a
parity check. Nothing is written unless the ONNX models reproduce XGBoost.

The split never looks at the future: rows are ordered by arrival date, the latest 25% are
the *holdout* (only ever scored, for the report), and the latest 20% of the rest are the
*validation* slice, used for early stopping and to fit the calibration. The trees learn
from the earliest rows only.

Calibration: XGBoost's raw probabilities reflect the cancellation rate of the rows it
learnt from. Platt scaling (two parameters on the log-odds: a * margin + b) is fitted on
the validation slice, the most recent period before the holdout, so the scores follow
where the rate is heading rather than the average of the whole history; being parametric,
it cannot overfit a small slice the way isotonic regression would. What it cannot do is
foresee a shift that has not started by the end of the validation slice: AUC (ranking) is
untouched by a change in base rate, Brier and log loss are not. The report shows both the
raw and the calibrated scores on the holdout, and each slice's cancellation rate.

Seasonality: `arrival_month` and `arrival_week` are dropped when the rows the trees learn
from span less than two years (config.seasonal="auto"). With one year of history each
month appears once, so the trees learn "this month in that year" - the trend of that
year - not the season, and carry it forward into a holdout where the trend has changed.
The rule was chosen by holdout ablation on the hotel sample (see ml/README.md).
"""

from __future__ import annotations

import json
import math
import platform
import secrets
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from . import metrics as m
from .dataset import Dataset
from .export import (check_parity, compiled_model, ensemble_from_booster,
                     tree_ensemble_model)
from .features import SEASONAL, at_hold_time

TWO_YEARS = 730


@dataclass
class TrainConfig:
    trees: int = 600
    depth: int = 6
    learning_rate: float = 0.04
    min_child_weight: float = 2.0
    subsample: float = 0.85
    colsample: float = 0.8
    early_stopping: int = 50
    holdout: float = 0.25
    validation: float = 0.2
    seasonal: str = "auto"          # auto | keep | drop
    seed: int = 7
    threads: int = 2
    refit: bool = True              # grow the final trees on fit + validation


@dataclass
class TrainResult:
    version: str
    directory: Path
    source: str
    features: list[str]
    metrics: dict                   # holdout metrics of the calibrated score
    report: dict
    parity: dict
    library_versions: dict
    calibration: dict
    notes: list[str] = field(default_factory=list)

    def metrics_json(self) -> dict:
        return {"auc": self.metrics["auc"], "brier": self.metrics["brier"],
                "log_loss": self.metrics["log_loss"], "n_train": self.report["n_train"],
                "n_holdout": self.metrics["n"], "version": self.version,
                "source": self.source}


@dataclass
class Split:
    fit: np.ndarray
    validation: np.ndarray
    holdout: np.ndarray


def split_by_time(arrival: np.ndarray, holdout: float = 0.25,
                  validation: float = 0.2) -> Split:
    order = np.argsort(arrival, kind="stable")
    n_holdout = int(math.ceil(len(order) * holdout))
    train = order[:len(order) - n_holdout]
    n_validation = int(math.ceil(len(train) * validation))
    return Split(fit=train[:len(train) - n_validation],
                 validation=train[len(train) - n_validation:],
                 holdout=order[len(order) - n_holdout:])


def library_versions() -> dict:
    import onnx
    import onnxruntime
    import xgboost

    return {"xgboost": xgboost.__version__, "onnx": onnx.__version__,
            "onnxruntime": onnxruntime.__version__, "numpy": np.__version__,
            "python": platform.python_version()}


def new_version(source: str, now: datetime | None = None) -> str:
    """`apt1-<UTC time>-<source>-<4 hex>`: two trainings in the same second stay apart."""
    now = now or datetime.now(timezone.utc)
    kind = source.split(":")[0][:12]
    return f"apt1-{now:%Y%m%d-%H%M%S}-{kind}-{secrets.token_hex(2)}"


def train(dataset: Dataset, out_root: Path, config: TrainConfig | None = None, *,
          progress: bool = False, version: str | None = None) -> TrainResult:
    """Train, calibrate, evaluate, export and check; the model lands in out_root/version."""
    import xgboost as xgb
    from tqdm import tqdm

    config = config or TrainConfig()
    if len(dataset) < 50:
        raise ValueError(f"{dataset.source}: {len(dataset)} labelled bookings are too few "
                         f"to train on (50 at least)")
    stages = tqdm(total=5, desc="APT-1", unit="stage", disable=not progress, leave=False)
    stages.set_postfix_str("features")
    X, names = dataset.matrix()
    y = dataset.cancelled.astype(np.float32)
    split = split_by_time(dataset.arrival, config.holdout, config.validation)
    notes = list(dataset.notes)
    fit_span = int(dataset.arrival[split.fit].max() - dataset.arrival[split.fit].min())
    drop_seasonal = config.seasonal == "drop" or (config.seasonal == "auto"
                                                  and fit_span < TWO_YEARS)
    if drop_seasonal:
        keep = [i for i, name in enumerate(names) if name not in SEASONAL]
        X, names = X[:, keep], [names[i] for i in keep]
        notes.append(f"arrival month/week dropped: training rows span {fit_span} days "
                     f"(< {TWO_YEARS}), too short to tell season from trend")
    for label, rows in (("fit", split.fit), ("validation", split.validation),
                        ("holdout", split.holdout)):
        if len(np.unique(y[rows])) < 2:
            raise ValueError(f"the {label} slice holds only one outcome; more data needed")
    # Every row is also seen as a hold sees it, guest details blank (ml/features.py,
    # KNOWN_AT_HOLD): the trees learn where a missing detail goes, and one calibration
    # holds for holds and for bookings.
    X_hold = at_hold_time(X, names)

    def both(rows):
        return np.vstack([X[rows], X_hold[rows]]), np.concatenate([y[rows], y[rows]])

    notes.append("each training row seen twice: whole, and as at hold time (guest "
                 "details blank)")
    stages.update()

    stages.set_postfix_str("trees")
    params = {"objective": "binary:logistic", "eval_metric": "logloss",
              "max_depth": config.depth, "eta": config.learning_rate,
              "min_child_weight": config.min_child_weight, "subsample": config.subsample,
              "colsample_bytree": config.colsample, "tree_method": "hist",
              "nthread": config.threads, "seed": config.seed}
    X_fit, y_fit = both(split.fit)
    X_val, y_val = both(split.validation)
    dfit = xgb.DMatrix(X_fit, label=y_fit, missing=np.nan, feature_names=names)
    dval = xgb.DMatrix(X_val, label=y_val, missing=np.nan, feature_names=names)
    bar = tqdm(total=config.trees, desc="boosting", unit="tree", disable=not progress,
               leave=False)

    class Progress(xgb.callback.TrainingCallback):
        def after_iteration(self, model, epoch, evals_log):
            bar.update()
            return False

    booster = xgb.train(params, dfit, num_boost_round=config.trees,
                        evals=[(dval, "validation")],
                        early_stopping_rounds=config.early_stopping or None,
                        callbacks=[Progress()], verbose_eval=False)
    bar.close()
    best = getattr(booster, "best_iteration", None)
    if best is not None and best + 1 < booster.num_boosted_rounds():
        booster = booster[: best + 1]
    rounds = booster.num_boosted_rounds()
    stages.update()

    stages.set_postfix_str("calibration")

    def margin(model, matrix):
        return model.predict(xgb.DMatrix(matrix, missing=np.nan, feature_names=names),
                             output_margin=True)

    # The calibration is fitted on the validation slice (whole and as at hold time),
    # scored by trees that never saw it.
    platt = m.platt_fit(margin(booster, X_val), y_val)
    val_cal = m.platt_apply(margin(booster, X[split.validation]), platt)
    if config.refit:
        # Then the trees are grown again on fit + validation, with as many trees per row
        # as early stopping chose: the most recent months carry the most information
        # about the months ahead (on the hotel sample: holdout AUC 0.73 without, 0.92 with).
        train_rows = np.concatenate([split.fit, split.validation])
        rounds = max(1, int(round(rounds * len(train_rows) / len(split.fit))))
        X_train, y_train = both(train_rows)
        dtrain = xgb.DMatrix(X_train, label=y_train, missing=np.nan, feature_names=names)
        booster = xgb.train(params, dtrain, num_boost_round=rounds, verbose_eval=False)
        notes.append(f"refit on fit + validation with {rounds} trees; calibration from the "
                     f"model that had not seen the validation slice")
    hold_margin = margin(booster, X[split.holdout])
    at_hold_cal = m.platt_apply(margin(booster, X_hold[split.holdout]), platt)
    booster.feature_names = None          # the ONNX input is positional
    hold_raw = 1 / (1 + np.exp(-hold_margin.astype(np.float64)))
    hold_cal = m.platt_apply(hold_margin, platt)
    fit_raw = booster.predict(xgb.DMatrix(X[split.fit], missing=np.nan))
    stages.update()

    stages.set_postfix_str("export")
    ensemble = ensemble_from_booster(booster)
    models = {"tree_ensemble": tree_ensemble_model(ensemble, platt),
              "compiled": compiled_model(ensemble, platt)}
    parity = check_parity(booster, models, X[split.validation], platt)
    stages.update()

    stages.set_postfix_str("report")
    version = version or new_version(dataset.source)
    seg = np.array(dataset.segment)
    segments = {}
    for name in sorted(set(seg[split.holdout])):
        rows = seg[split.holdout] == name
        segments[name] = m.summary(y[split.holdout][rows], hold_cal[rows])
    holdout_metrics = m.summary(y[split.holdout], hold_cal)
    day = lambda o: datetime.fromordinal(int(o)).date().isoformat()  # noqa: E731
    report = {
        "version": version, "source": dataset.source, "created_at":
        datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "n_train": int(len(split.fit) + len(split.validation)), "n_fit": int(len(split.fit)),
        "n_validation": int(len(split.validation)), "n_holdout": int(len(split.holdout)),
        "periods": {label: [day(dataset.arrival[rows].min()), day(dataset.arrival[rows].max())]
                    for label, rows in (("fit", split.fit), ("validation", split.validation),
                                        ("holdout", split.holdout))},
        "cancel_rate": {"fit": float(y[split.fit].mean()),
                        "validation": float(y[split.validation].mean()),
                        "holdout": float(y[split.holdout].mean())},
        "holdout": holdout_metrics,
        # the same stays scored as when they were held: no guest details yet
        "holdout_at_hold": m.summary(y[split.holdout], at_hold_cal),
        "holdout_raw": m.summary(y[split.holdout], hold_raw),
        # synthetic data: the generator's own probabilities, the best any model could
        # score (they include what no feature shows: per-event noise, unknown ties)
        "holdout_oracle": (m.summary(y[split.holdout], dataset.truth[split.holdout])
                           if dataset.truth is not None else None),
        "validation": m.summary(y[split.validation], val_cal),
        "fit_raw": m.summary(y[split.fit], fit_raw),
        "segments": segments,
        "calibration_bins": m.calibration_bins(y[split.holdout], hold_cal),
        "calibration_bins_raw": m.calibration_bins(y[split.holdout], hold_raw),
        "calibration": {"method": "platt", "a": platt[0], "b": platt[1],
                        "fitted_on": "validation"},
        "trees": int(booster.num_boosted_rounds()), "depth": ensemble.depth,
        "params": params, "features": names, "parity_max_abs_diff": parity,
        "library_versions": library_versions(), "notes": notes,
        "importance": {k: float(v) for k, v in sorted(
            booster.get_score(importance_type="gain").items(),
            key=lambda kv: -kv[1])[:15]},
    }
    report["importance"] = {names[int(k[1:])] if k.startswith("f") and k[1:].isdigit()
                            else k: v for k, v in report["importance"].items()}
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=out_root))
    try:
        (staging / "model.onnx").write_bytes(models["tree_ensemble"].SerializeToString())
        (staging / "model_compiled.onnx").write_bytes(models["compiled"].SerializeToString())
        booster.save_model(str(staging / "booster.json"))
        (staging / "features.json").write_text(json.dumps(names, indent=1))
        from .report import write_report

        write_report(staging, report, y_holdout=y[split.holdout], raw=hold_raw, cal=hold_cal,
                     y_validation=y[split.validation], cal_validation=val_cal)
        target = out_root / version
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    stages.update()
    stages.close()
    return TrainResult(version=version, directory=target, source=dataset.source,
                       features=names, metrics=holdout_metrics, report=report, parity=parity,
                       library_versions=report["library_versions"],
                       calibration=report["calibration"], notes=notes)


def result_summary(result: TrainResult) -> str:
    h, r = result.report["holdout"], result.report
    return (f"{result.version}: holdout AUC {h['auc']:.3f}, Brier {h['brier']:.3f}, "
            f"log loss {h['log_loss']:.3f} on {h['n']} rows (train {r['n_train']}); "
            f"cancel rate fit {r['cancel_rate']['fit']:.2f} / validation "
            f"{r['cancel_rate']['validation']:.2f} / holdout {r['cancel_rate']['holdout']:.2f}; "
            f"ONNX parity {max(result.parity.values()):.1e}")


__all__ = ["TrainConfig", "TrainResult", "split_by_time", "train", "result_summary",
           "asdict"]
