"""Evaluation: AUC, Brier score, log loss, calibration bins. numpy only."""

from __future__ import annotations

import numpy as np

EPS = 1e-7


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney, ties counted half)."""
    y = np.asarray(y).astype(bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return float("nan")
    order = np.argsort(p, kind="mergesort")
    ranks = np.empty(len(p), dtype=np.float64)
    sorted_p = np.asarray(p)[order]
    i = 0
    while i < len(sorted_p):           # average ranks over ties
        j = i
        while j + 1 < len(sorted_p) and sorted_p[j + 1] == sorted_p[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2.0) / (positives * negatives))


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, np.float64) - y) ** 2))


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(np.asarray(p, np.float64), EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def summary(y: np.ndarray, p: np.ndarray) -> dict:
    return {"n": int(len(y)), "cancel_rate": float(np.mean(y)) if len(y) else None,
            "mean_score": float(np.mean(p)) if len(y) else None,
            "auc": auc(y, p) if len(y) else None,
            "brier": brier(y, p) if len(y) else None,
            "log_loss": log_loss(y, p) if len(y) else None}


def calibration_bins(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for k in range(bins):
        mask = which == k
        if mask.any():
            out.append({"from": float(edges[k]), "to": float(edges[k + 1]),
                        "n": int(mask.sum()), "mean_score": float(p[mask].mean()),
                        "cancel_rate": float(np.mean(y[mask]))})
    return out


def platt_fit(margin: np.ndarray, y: np.ndarray, iterations: int = 50) -> tuple[float, float]:
    """Platt scaling: a, b minimising the log loss of sigmoid(a * margin + b) (Newton),
    with Platt's smoothed targets so a tiny slice cannot push scores to 0 or 1."""
    m = np.asarray(margin, np.float64)
    positives, negatives = float(np.sum(y)), float(len(y) - np.sum(y))
    target = np.where(np.asarray(y) > 0, (positives + 1) / (positives + 2),
                      1 / (negatives + 2))
    a, b = 1.0, 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(a * m + b)))
        w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([np.sum((p - target) * m), np.sum(p - target)])
        h = np.array([[np.sum(w * m * m), np.sum(w * m)], [np.sum(w * m), np.sum(w)]])
        h += np.eye(2) * 1e-9
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(a), float(b)


def platt_apply(margin: np.ndarray, platt: tuple[float, float]) -> np.ndarray:
    a, b = platt
    return 1 / (1 + np.exp(-(a * np.asarray(margin, np.float64) + b)))
