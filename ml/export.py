"""XGBoost → ONNX, two ways, both checked against XGBoost before anything is saved.

1. `tree_ensemble_model`: the trees as one ai.onnx.ml TreeEnsembleRegressor node. Compact
   and fast on onnxruntime's CPU provider, but the CUDA provider has no kernel for it, so
   with onnxruntime-gpu it silently runs on the CPU.
2. `compiled_model`: the trees compiled into standard tensor operators that the CUDA
   provider does execute. Every tree is padded to a *perfect* binary tree of the ensemble's
   depth D (a leaf above depth D is copied into all its descendant slots), and stored level
   by level as flat arrays: split feature, threshold, default direction. Evaluation is D
   rounds of, for all rows and all trees at once,

       idx   = pos + tree_offset                      (which node each tree is at)
       x     = GatherElements(X, Gather(feature, idx)) (its split feature's value)
       left  = Less(x, Gather(threshold, idx)) OR (IsNaN(x) AND Gather(default_left, idx))
       pos   = 2 * pos + NOT left

   then the leaf values are gathered, summed over trees and the base score's margin added.
   XGBoost's rule is the same: go left when x < split_condition (float32), and a missing
   value goes the way the tree learnt for it. Depth 6 and 300 trees: 64 leaves a tree,
   a few hundred KB of constants.

Both end with the same head: `margin` (log-odds), `raw_probability` = sigmoid(margin),
and `probability` = sigmoid(a * margin + b), the Platt calibration. `check_parity` runs
both on onnxruntime's CPU provider and refuses (ParityError) when either differs from
XGBoost's own prediction by more than 1e-5, including rows with values knocked out to
exercise every default direction.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOLERANCE = 1e-5
OPSET = 17
ML_OPSET = 3


class ParityError(Exception):
    """The ONNX model does not reproduce XGBoost; never save such a model."""


@dataclass
class Tree:
    left: list[int]
    right: list[int]
    feature: list[int]
    threshold: list[float]      # split condition, or the leaf value at a leaf
    default_left: list[bool]

    def is_leaf(self, node: int) -> bool:
        return self.left[node] == -1

    def depth(self, node: int = 0) -> int:
        if self.is_leaf(node):
            return 0
        return 1 + max(self.depth(self.left[node]), self.depth(self.right[node]))


@dataclass
class Ensemble:
    trees: list[Tree]
    base_margin: float
    n_features: int

    @property
    def depth(self) -> int:
        return max((tree.depth() for tree in self.trees), default=0)


def ensemble_from_booster(booster) -> Ensemble:
    """Read trees and base score from XGBoost's own JSON model (binary:logistic)."""
    model = json.loads(booster.save_raw("json").decode())
    learner = model["learner"]
    objective = learner["objective"]["name"]
    if objective != "binary:logistic":
        raise ValueError(f"APT-1 exports binary:logistic models, not {objective}")
    raw = learner["learner_model_param"]["base_score"]
    base_score = float(json.loads(raw)[0]) if raw.startswith("[") else float(raw)
    base_margin = math.log(base_score / (1.0 - base_score))
    trees = []
    for tree in learner["gradient_booster"]["model"]["trees"]:
        trees.append(Tree(left=tree["left_children"], right=tree["right_children"],
                          feature=tree["split_indices"],
                          threshold=[float(v) for v in tree["split_conditions"]],
                          default_left=[bool(v) for v in tree["default_left"]]))
    n_features = int(learner["learner_model_param"]["num_feature"])
    return Ensemble(trees=trees, base_margin=base_margin, n_features=n_features)


# --------------------------------------------------------------------------- shared head

def _head(nodes: list, initializers: list, margin: str, platt: tuple[float, float]) -> list:
    a, b = platt
    initializers += [numpy_helper.from_array(np.array([a], np.float32), "platt_a"),
                     numpy_helper.from_array(np.array([b], np.float32), "platt_b")]
    nodes += [
        helper.make_node("Identity", [margin], ["margin"]),
        helper.make_node("Sigmoid", ["margin"], ["raw_probability"]),
        helper.make_node("Mul", ["margin", "platt_a"], ["scaled"]),
        helper.make_node("Add", ["scaled", "platt_b"], ["calibrated_logit"]),
        helper.make_node("Sigmoid", ["calibrated_logit"], ["probability"]),
    ]
    return [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 1])
            for name in ("probability", "raw_probability", "margin")]


def _model(name: str, nodes, initializers, n_features: int, outputs, ml: bool,
           doc: str) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("features", TensorProto.FLOAT,
                                                     ["N", n_features])],
        outputs, initializer=initializers)
    opsets = [helper.make_opsetid("", OPSET)]
    if ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="ancile-apt1",
                              doc_string=doc)
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


# --------------------------------------------------------------------------- 1. TreeEnsemble

def tree_ensemble_model(ensemble: Ensemble, platt: tuple[float, float]) -> onnx.ModelProto:
    attrs = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids",
                             "nodes_values", "nodes_modes", "nodes_truenodeids",
                             "nodes_falsenodeids", "nodes_missing_value_tracks_true",
                             "target_treeids", "target_nodeids", "target_ids",
                             "target_weights")}
    for t, tree in enumerate(ensemble.trees):
        for node in range(len(tree.left)):
            leaf = tree.is_leaf(node)
            attrs["nodes_treeids"].append(t)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_featureids"].append(0 if leaf else tree.feature[node])
            # x < t  <=>  x <= the float32 just below t: the same split, and onnxruntime's
            # BRANCH_LEQ loop is ~13% faster than its BRANCH_LT one.
            attrs["nodes_values"].append(0.0 if leaf else float(
                np.nextafter(np.float32(tree.threshold[node]), np.float32(-np.inf))))
            attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            attrs["nodes_truenodeids"].append(0 if leaf else tree.left[node])
            attrs["nodes_falsenodeids"].append(0 if leaf else tree.right[node])
            attrs["nodes_missing_value_tracks_true"].append(
                0 if leaf else int(tree.default_left[node]))
            if leaf:
                attrs["target_treeids"].append(t)
                attrs["target_nodeids"].append(node)
                attrs["target_ids"].append(0)
                attrs["target_weights"].append(tree.threshold[node])
    nodes = [helper.make_node("TreeEnsembleRegressor", ["features"], ["tree_margin"],
                              domain="ai.onnx.ml", n_targets=1, aggregate_function="SUM",
                              post_transform="NONE", base_values=[ensemble.base_margin],
                              **attrs)]
    initializers: list = []
    outputs = _head(nodes, initializers, "tree_margin", platt)
    return _model("apt1_tree_ensemble", nodes, initializers, ensemble.n_features, outputs,
                  ml=True, doc="APT-1 cancellation risk: XGBoost trees as TreeEnsemble")


# --------------------------------------------------------------------------- 2. compiled

def perfect_tree_arrays(ensemble: Ensemble) -> dict:
    """Per level: feature, threshold, default_left for every tree's 2^level slots; leaves."""
    depth = max(ensemble.depth, 1)
    n = len(ensemble.trees)
    feature = [np.zeros(n * 2 ** level, np.int64) for level in range(depth)]
    threshold = [np.zeros(n * 2 ** level, np.float32) for level in range(depth)]
    default_left = [np.ones(n * 2 ** level, bool) for level in range(depth)]
    leaves = np.zeros(n * 2 ** depth, np.float32)

    for t, tree in enumerate(ensemble.trees):
        stack = [(0, 0, 0)]                       # (node, level, slot within the level)
        while stack:
            node, level, slot = stack.pop()
            if tree.is_leaf(node):
                width = 2 ** (depth - level)      # every descendant slot gets the leaf
                start = t * 2 ** depth + slot * width
                leaves[start:start + width] = tree.threshold[node]
                for below in range(level, depth):  # padding splits: any route is the same
                    span = 2 ** (below - level)
                    base = t * 2 ** below + slot * span
                    feature[below][base:base + span] = 0
                    threshold[below][base:base + span] = 0.0
                    default_left[below][base:base + span] = True
                continue
            i = t * 2 ** level + slot
            feature[level][i] = tree.feature[node]
            threshold[level][i] = np.float32(tree.threshold[node])
            default_left[level][i] = tree.default_left[node]
            stack.append((tree.left[node], level + 1, 2 * slot))
            stack.append((tree.right[node], level + 1, 2 * slot + 1))
    return {"depth": depth, "trees": n, "feature": feature, "threshold": threshold,
            "default_left": default_left, "leaves": leaves}


def compiled_model(ensemble: Ensemble, platt: tuple[float, float]) -> onnx.ModelProto:
    arrays = perfect_tree_arrays(ensemble)
    depth, n = arrays["depth"], arrays["trees"]
    init = []

    def const(name, value):
        init.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    nodes = []
    const("one_i64", np.array(1, np.int64))
    const("two_i64", np.array(2, np.int64))
    # level 0: every row is at the root of every tree: gather the roots' features directly
    const("f_0", arrays["feature"][0])
    const("thr_0", arrays["threshold"][0])
    const("dl_0", arrays["default_left"][0])
    nodes += [
        helper.make_node("Gather", ["features", "f_0"], ["x_0"], axis=1),
        helper.make_node("Less", ["x_0", "thr_0"], ["lt_0"]),
        helper.make_node("IsNaN", ["x_0"], ["nan_0"]),
        helper.make_node("And", ["nan_0", "dl_0"], ["nanleft_0"]),
        helper.make_node("Or", ["lt_0", "nanleft_0"], ["left_0"]),
        helper.make_node("Not", ["left_0"], ["right_0"]),
        helper.make_node("Cast", ["right_0"], ["pos_1"], to=TensorProto.INT64),
    ]
    for level in range(1, depth + 1):
        offsets = np.arange(n, dtype=np.int64) * 2 ** level
        const(f"off_{level}", offsets)
        p, idx = f"pos_{level}", f"idx_{level}"
        nodes.append(helper.make_node("Add", [p, f"off_{level}"], [idx]))
        if level == depth:
            break
        const(f"f_{level}", arrays["feature"][level])
        const(f"thr_{level}", arrays["threshold"][level])
        const(f"dl_{level}", arrays["default_left"][level])
        s = str(level)
        nodes += [
            helper.make_node("Gather", [f"f_{s}", idx], [f"fi_{s}"], axis=0),
            helper.make_node("GatherElements", ["features", f"fi_{s}"], [f"x_{s}"], axis=1),
            helper.make_node("Gather", [f"thr_{s}", idx], [f"t_{s}"], axis=0),
            helper.make_node("Gather", [f"dl_{s}", idx], [f"d_{s}"], axis=0),
            helper.make_node("Less", [f"x_{s}", f"t_{s}"], [f"lt_{s}"]),
            helper.make_node("IsNaN", [f"x_{s}"], [f"nan_{s}"]),
            helper.make_node("And", [f"nan_{s}", f"d_{s}"], [f"nanleft_{s}"]),
            helper.make_node("Or", [f"lt_{s}", f"nanleft_{s}"], [f"left_{s}"]),
            helper.make_node("Not", [f"left_{s}"], [f"right_{s}"]),
            helper.make_node("Cast", [f"right_{s}"], [f"step_{s}"], to=TensorProto.INT64),
            helper.make_node("Mul", [p, "two_i64"], [f"twice_{s}"]),
            helper.make_node("Add", [f"twice_{s}", f"step_{s}"], [f"pos_{level + 1}"]),
        ]
    const("leaves", arrays["leaves"])
    const("sum_axes", np.array([1], np.int64))
    const("base_margin", np.array([ensemble.base_margin], np.float32))
    nodes += [
        helper.make_node("Gather", ["leaves", f"idx_{depth}"], ["leaf_values"], axis=0),
        helper.make_node("ReduceSum", ["leaf_values", "sum_axes"], ["tree_sum"], keepdims=1),
        helper.make_node("Add", ["tree_sum", "base_margin"], ["compiled_margin"]),
    ]
    outputs = _head(nodes, init, "compiled_margin", platt)
    return _model("apt1_compiled_trees", nodes, init, ensemble.n_features, outputs, ml=False,
                  doc=f"APT-1 cancellation risk: {n} XGBoost trees compiled to a depth-"
                      f"{depth} perfect-tree traversal in standard ONNX operators")


# --------------------------------------------------------------------------- parity

def session(model: onnx.ModelProto | bytes, providers=("CPUExecutionProvider",), threads=0):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    payload = model if isinstance(model, bytes) else model.SerializeToString()
    return ort.InferenceSession(payload, options, providers=list(providers))


def with_holes(X: np.ndarray, share: float = 0.2, seed: int = 0) -> np.ndarray:
    """A copy of X with `share` of its values knocked out (NaN): every default route."""
    rng = np.random.default_rng(seed)
    holed = X.copy()
    holed[rng.random(X.shape) < share] = np.nan
    return holed


def check_parity(booster, models: dict[str, onnx.ModelProto], X: np.ndarray,
                 platt: tuple[float, float], tolerance: float = TOLERANCE) -> dict:
    """Largest |ONNX - XGBoost| per model, on X and on X with holes; raises ParityError."""
    import xgboost as xgb

    a, b = platt
    report = {}
    for name, model in models.items():
        sess = session(model)
        worst = 0.0
        for rows in (X, with_holes(X)):
            rows = np.ascontiguousarray(rows, dtype=np.float32)
            margin = booster.predict(xgb.DMatrix(rows, missing=np.nan), output_margin=True)
            expected_raw = 1.0 / (1.0 + np.exp(-margin.astype(np.float64)))
            expected = 1.0 / (1.0 + np.exp(-(a * margin.astype(np.float64) + b)))
            prob, raw, _ = sess.run(None, {"features": rows})
            worst = max(worst, float(np.max(np.abs(raw[:, 0] - expected_raw), initial=0.0)),
                        float(np.max(np.abs(prob[:, 0] - expected), initial=0.0)))
        report[name] = worst
        if not worst <= tolerance:
            raise ParityError(f"{name}: ONNX differs from XGBoost by {worst:.2e} "
                              f"(limit {tolerance:.0e}) on {len(X)} validation rows")
    return report
