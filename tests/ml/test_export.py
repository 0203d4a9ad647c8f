"""The ONNX graphs reproduce XGBoost to 1e-5: missing values, base score, calibration."""

import numpy as np
import pytest
import xgboost as xgb

from ml.export import (ParityError, check_parity, compiled_model, ensemble_from_booster,
                       perfect_tree_arrays, session, tree_ensemble_model, with_holes)

PLATT = (0.8, -0.3)


@pytest.fixture(scope="module")
def booster_and_rows():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(3000, 6)).astype(np.float32)
    X[rng.random(X.shape) < 0.25] = np.nan              # missing values in training too
    logit = 1.2 * np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) + 0.8 * np.isnan(X[:, 2])
    y = (rng.random(3000) < 1 / (1 + np.exp(-logit + 1.0))).astype(np.float32)
    params = {"objective": "binary:logistic", "max_depth": 5, "eta": 0.3, "nthread": 1,
              "base_score": 0.27}   # a base score far from 0.5: it must reach the graph
    booster = xgb.train(params, xgb.DMatrix(X, label=y, missing=np.nan), 25)
    return booster, X[:500]


def xgb_probability(booster, X, platt=None):
    margin = booster.predict(xgb.DMatrix(X, missing=np.nan), output_margin=True)
    a, b = platt or (1.0, 0.0)
    return 1 / (1 + np.exp(-(a * margin.astype(np.float64) + b)))


@pytest.mark.parametrize("build", [tree_ensemble_model, compiled_model])
def test_graph_matches_xgboost_with_missing_values_and_base_score(booster_and_rows, build):
    booster, X = booster_and_rows
    ensemble = ensemble_from_booster(booster)
    assert ensemble.base_margin == pytest.approx(np.log(0.27 / 0.73), abs=1e-6)
    sess = session(build(ensemble, PLATT))
    for rows in (X, with_holes(X, 0.5), np.full((3, 6), np.nan, np.float32)):
        prob, raw, margin = sess.run(None, {"features": rows})
        np.testing.assert_allclose(raw[:, 0], xgb_probability(booster, rows), atol=1e-5)
        np.testing.assert_allclose(prob[:, 0], xgb_probability(booster, rows, PLATT),
                                   atol=1e-5)


def test_compiled_graph_uses_only_standard_operators(booster_and_rows):
    booster, _ = booster_and_rows
    model = compiled_model(ensemble_from_booster(booster), PLATT)
    assert {op.domain for op in model.opset_import} == {""}
    assert all(node.domain == "" for node in model.graph.node)
    assert "TreeEnsembleRegressor" not in {node.op_type for node in model.graph.node}


def test_shallow_leaves_are_copied_into_the_perfect_tree(booster_and_rows):
    booster, _ = booster_and_rows
    ensemble = ensemble_from_booster(booster)
    arrays = perfect_tree_arrays(ensemble)
    assert arrays["leaves"].shape == (len(ensemble.trees) * 2 ** arrays["depth"],)
    assert [len(f) for f in arrays["feature"]] == [
        len(ensemble.trees) * 2 ** level for level in range(arrays["depth"])]


def test_parity_check_refuses_a_graph_that_drifts(booster_and_rows):
    booster, X = booster_and_rows
    ensemble = ensemble_from_booster(booster)
    assert max(check_parity(booster, {"compiled": compiled_model(ensemble, PLATT)}, X,
                            PLATT).values()) <= 1e-5
    first = ensemble.trees[0]
    split = next(n for n in range(len(first.left)) if not first.is_leaf(n))
    first.default_left[split] = not first.default_left[split]   # wrong missing route
    with pytest.raises(ParityError, match="differs from XGBoost"):
        check_parity(booster, {"compiled": compiled_model(ensemble, PLATT)}, X, PLATT)
