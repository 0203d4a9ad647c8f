"""The evaluation report written next to each model: report.json, report.md and a
calibration plot (calibration.png, matplotlib's Agg backend: no display needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def _fmt(value, digits=3):
    return "-" if value is None or (isinstance(value, float) and np.isnan(value)) \
        else f"{value:.{digits}f}"


def write_report(directory: Path, report: dict, *, y_holdout, raw, cal, y_validation,
                 cal_validation) -> None:
    (directory / "report.json").write_text(json.dumps(report, indent=2, default=float))
    _plot(directory / "calibration.png", y_holdout, raw, cal, y_validation, cal_validation,
          report)
    h, hr, v = report["holdout"], report["holdout_raw"], report["validation"]
    lines = [
        f"# APT-1 model {report['version']}", "",
        f"Source: {report['source']}. Trees: {report['trees']} (depth {report['depth']}).", "",
        "| slice | arrivals | rows | cancel rate |", "| --- | --- | --- | --- |",
    ]
    for label in ("fit", "validation", "holdout"):
        first, last = report["periods"][label]
        rows = report[f"n_{label}"]
        lines.append(f"| {label} | {first} - {last} | {rows} | "
                     f"{report['cancel_rate'][label]:.3f} |")
    lines += ["", "| score | AUC | Brier | log loss | mean score |", "| --- | --- | --- | --- | --- |",
              f"| holdout, calibrated | {_fmt(h['auc'])} | {_fmt(h['brier'])} | "
              f"{_fmt(h['log_loss'])} | {_fmt(h['mean_score'])} |",
              f"| holdout, raw XGBoost | {_fmt(hr['auc'])} | {_fmt(hr['brier'])} | "
              f"{_fmt(hr['log_loss'])} | {_fmt(hr['mean_score'])} |",
              f"| validation, calibrated | {_fmt(v['auc'])} | {_fmt(v['brier'])} | "
              f"{_fmt(v['log_loss'])} | {_fmt(v['mean_score'])} |"]
    o = report.get("holdout_oracle")
    if o:
        lines.append(f"| holdout, the generator's true probabilities (ceiling) | "
                     f"{_fmt(o['auc'])} | {_fmt(o['brier'])} | {_fmt(o['log_loss'])} | "
                     f"{_fmt(o['mean_score'])} |")
    lines += ["",
              f"Calibration: Platt, a = {report['calibration']['a']:.4f}, "
              f"b = {report['calibration']['b']:.4f}, fitted on the validation slice.", "",
              "## Holdout by segment", "",
              "| segment | rows | cancel rate | mean score | AUC | Brier |",
              "| --- | --- | --- | --- | --- | --- |"]
    for name, s in report["segments"].items():
        lines.append(f"| {name} | {s['n']} | {_fmt(s['cancel_rate'])} | "
                     f"{_fmt(s['mean_score'])} | {_fmt(s['auc'])} | {_fmt(s['brier'])} |")
    lines += ["", "## Features", "", ", ".join(report["features"]), "",
              "Most important (gain): " + ", ".join(
                  f"{k} {v:.1f}" for k, v in report["importance"].items()), "",
              "ONNX vs XGBoost, largest difference on the validation rows: " + ", ".join(
                  f"{k} {v:.1e}" for k, v in report["parity_max_abs_diff"].items()), "",
              "Libraries: " + ", ".join(f"{k} {v}" for k, v in
                                        report["library_versions"].items()), ""]
    if report["notes"]:
        lines += ["Notes:", ""] + [f"- {note}" for note in report["notes"]] + [""]
    lines.append("![calibration](calibration.png)")
    (directory / "report.md").write_text("\n".join(lines) + "\n")


def _curve(y, p, bins=10):
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    xs, ys = [], []
    for k in range(bins):
        mask = which == k
        if mask.sum() >= 5:
            xs.append(float(p[mask].mean()))
            ys.append(float(np.mean(y[mask])))
    return xs, ys


def _plot(path: Path, y, raw, cal, y_val, cal_val, report) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (ax, hist) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=(3, 1), dpi=100)
    ax.plot([0, 1], [0, 1], ls="--", color="#999", lw=1, label="perfect")
    for label, yy, pp, style in (("holdout, calibrated", y, cal, "o-"),
                                 ("holdout, raw XGBoost", y, raw, "s:"),
                                 ("validation, calibrated", y_val, cal_val, "^-")):
        xs, ys = _curve(yy, pp)
        ax.plot(xs, ys, style, label=label, ms=4)
    ax.set_xlabel("predicted probability of cancelling")
    ax.set_ylabel("observed cancellation rate")
    h = report["holdout"]
    ax.set_title(f"APT-1 {report['version']}\nholdout AUC {h['auc']:.3f}, "
                 f"Brier {h['brier']:.3f}", fontsize=10)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    hist.hist(cal, bins=20, range=(0, 1), color="#1f4e5f")
    hist.set_xlabel("calibrated score, holdout")
    hist.set_ylabel("rows")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
