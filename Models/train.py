#!/usr/bin/env python3
"""Trains the parity model matrix and writes golden predictions (margins and outputs) from the real
libraries, for VerdictModelsTests/ParityTests.swift.

    python3 Models/train.py [OUT_DIR]      (default: the folder of this script; `make parity`)

Versions are pinned in Models/requirements.txt; the script refuses to run with others. Every model is
small (few trees, 6 features) so that models + goldens stay well under 2 MB. For each model,
goldens/<model file>.csv holds probe rows and the library's own predictions:
  * random rows drawn like the training data (with NaN where training had NaN),
  * special rows: all NaN, +0, -0, +-inf and +-1e300 (LightGBM only: XGBoost rejects values that are
    inf in float32), subnormals, values
    with |x| <= 1e-35 (LightGBM's kZeroThreshold), huge values,
  * for (up to 60 of) the model's numeric splits: a row exactly on the threshold and on the next
    float64 and float32 values above and below it,
  * categorical models: negative, fractional, huge and out-of-range category codes.
Columns: the model's feature names (empty = NaN), then margin_k, output_k per output k. Numbers are
Python repr (shortest round-trip of a float64; float32 results are exactly representable).
"""
import json, os, sys
import numpy as np

PINS = {"numpy": "2.4.6", "xgboost": "3.2.0", "lightgbm": "4.7.0"}
import xgboost as xgb, lightgbm as lgb
for mod, want in PINS.items():
    have = __import__(mod).__version__
    if have != want:
        sys.exit(f"train.py: {mod} {have} installed, {want} pinned (pip install -r Models/requirements.txt)")

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
GOLD = os.path.join(OUT, "goldens")
os.makedirs(GOLD, exist_ok=True)
RNG = np.random.default_rng(7)
NF, NROWS = 6, 600
NAMES = ["amount", "age_days", "attempts", "distance", "score", "category"]


def data(nan=True, classes=0, positive=False):
    X = np.column_stack([RNG.lognormal(4, 1.2, NROWS), RNG.integers(0, 400, NROWS).astype(float),
                         RNG.poisson(2, NROWS).astype(float), RNG.normal(0, 300, NROWS),
                         RNG.uniform(-1, 1, NROWS), RNG.integers(0, 8, NROWS).astype(float)])
    X[RNG.uniform(size=NROWS) < 0.15, 4] = 0.0          # exact zeros (LightGBM zero_as_missing)
    z = 0.004 * X[:, 0] - 0.01 * X[:, 1] + 0.6 * X[:, 2] + 0.002 * X[:, 3] + 2 * X[:, 4] + 0.3 * (X[:, 5] % 3)
    if nan:
        for f in range(NF - 1):
            X[RNG.uniform(size=NROWS) < 0.1, f] = np.nan
    if classes:
        y = np.digitize(z + RNG.normal(0, 1, NROWS), np.quantile(z, np.linspace(0, 1, classes + 1)[1:-1]))
    elif positive:
        y = RNG.poisson(np.exp(np.clip(z / 4, -3, 3)))
    else:
        y = (z + RNG.normal(0, 1, NROWS) > np.median(z)).astype(float)
    return X, y.astype(float)


def probes(X, splits, categorical=None, allow_inf=True):
    rows = [X[i].copy() for i in RNG.choice(len(X), 40, replace=False)]
    special = [np.nan, 0.0, -0.0, 5e-324, -5e-324, 1e-40, 1e-36, -1e-36, 1e-35, 1.0000000180025095e-35, 1e300, -1e300]
    if allow_inf:
        special += [np.inf, -np.inf]
    rows += [np.full(NF, v) for v in special]
    for v in special:                                   # one special value in an otherwise normal row
        r = X[RNG.integers(len(X))].copy(); r[RNG.integers(NF)] = v; rows.append(r)
    uniq = sorted(set(splits))
    RNG.shuffle(uniq)
    for f, t in uniq[:60]:
        base = X[RNG.integers(len(X))].copy()
        t32 = float(np.float32(t))
        for v in {t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf), t32,
                  float(np.nextafter(np.float32(t32), np.float32(np.inf))), float(np.nextafter(np.float32(t32), np.float32(-np.inf)))}:
            if np.isfinite(v) or allow_inf:
                r = base.copy(); r[f] = v; rows.append(r)
    if categorical is not None:
        for code in [-1, -0.5, 0, 0.5, 1, 2.7, 3, 7, 8, 31, 32, 33, 1e9, 2.0 ** 24, 2.0 ** 31, np.nan]:
            r = X[RNG.integers(len(X))].copy(); r[categorical] = code; rows.append(r)
    rows = np.array(rows)
    if not allow_inf:                                   # XGBoost: nothing that becomes inf in float32
        with np.errstate(invalid="ignore"):
            rows = rows[~np.any(np.abs(rows) > 3.0e38, axis=1)]
    return rows


def cell(v):
    return "" if np.isnan(v) else repr(float(v))


def write_golden(model_file, X, margins, outputs):
    margins = np.asarray(margins, dtype=np.float64).reshape(len(X), -1)
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(X), -1)
    if outputs.shape[1] != margins.shape[1]:            # multi:softmax predicts one class index per row
        outputs = np.repeat(outputs, margins.shape[1], axis=1)
    k = margins.shape[1]
    with open(os.path.join(GOLD, model_file + ".csv"), "w") as f:
        f.write(",".join(NAMES + [f"margin_{i}" for i in range(k)] + [f"output_{i}" for i in range(k)]) + "\n")
        for x, m, o in zip(X, margins, outputs):
            f.write(",".join([cell(v) for v in x] + [repr(float(v)) for v in m] + [repr(float(v)) for v in o]) + "\n")


def xgb_splits(bst):
    doc = json.loads(bst.save_raw("json"))
    out = []
    for t in doc["learner"]["gradient_booster"]["model"].get("trees", []) if "model" in doc["learner"]["gradient_booster"] \
            else doc["learner"]["gradient_booster"]["gbtree"]["model"]["trees"]:
        for l, f, c, st in zip(t["left_children"], t["split_indices"], t["split_conditions"], t["split_type"]):
            if l != -1 and st == 0:
                out.append((f, float(np.float32(c))))
    return out


def xgboost_model(name, params, rounds=12, nan=True, classes=0, positive=False, categorical=False, formats=("json",)):
    X, y = data(nan, classes, positive)
    types = ["q"] * (NF - 1) + ["c" if categorical else "q"]
    dm = xgb.DMatrix(X, label=y, missing=np.nan, feature_names=NAMES, feature_types=types, enable_categorical=categorical)
    params = {"max_depth": 4, "eta": 0.3, "nthread": 1, "seed": 1, "tree_method": "hist", **params}
    bst = xgb.train(params, dm, num_boost_round=rounds)
    splits = [] if params.get("booster") == "gblinear" else xgb_splits(bst)
    P = probes(X, splits, categorical=NF - 1 if categorical else None, allow_inf=False)
    pm = xgb.DMatrix(P, missing=np.nan, feature_names=NAMES, feature_types=types, enable_categorical=categorical)
    margins, outputs = bst.predict(pm, output_margin=True), bst.predict(pm)
    for fmt in formats:
        bst.save_model(os.path.join(OUT, f"{name}.{fmt}"))
        write_golden(f"{name}.{fmt}", P, margins, outputs)


def lgbm_splits(booster):
    out = []
    def walk(node):
        if "split_feature" in node:
            if node["decision_type"] == "<=":
                out.append((node["split_feature"], float(node["threshold"])))
            walk(node["left_child"]); walk(node["right_child"])
    for t in booster.dump_model()["tree_info"]:
        walk(t["tree_structure"])
    return out


def lightgbm_model(name, params, rounds=12, nan=True, classes=0, positive=False, categorical=False):
    X, y = data(nan, classes, positive)
    params = {"num_leaves": 12, "learning_rate": 0.3, "num_threads": 1, "seed": 1, "verbose": -1,
              "min_data_in_leaf": 5, "deterministic": True, **params}
    ds = lgb.Dataset(X, label=y, feature_name=NAMES, categorical_feature=[NF - 1] if categorical else "auto")
    booster = lgb.train(params, ds, num_boost_round=rounds)
    P = probes(X, lgbm_splits(booster), categorical=NF - 1 if categorical else None)
    booster.save_model(os.path.join(OUT, f"{name}.txt"))
    write_golden(f"{name}.txt", P, booster.predict(P, raw_score=True), booster.predict(P))


def linear_model(name):
    X, y = data(nan=False)
    weights = {n: float(w) for n, w in zip(NAMES, RNG.normal(0, 0.01, NF))}
    doc = {"kind": "linear", "link": "logistic", "intercept": -1.25, "weights": weights}
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(doc, f, indent=1)
    P = probes(X, [])
    margins = []
    for x in P:
        s = 0.0
        for w, v in zip(weights.values(), x):
            s += w * v
        margins.append(doc["intercept"] + s)
    with np.errstate(over="ignore", invalid="ignore"):
        outputs = [1.0 / (1.0 + np.exp(-m)) for m in margins]
    write_golden(f"{name}.json", P, margins, outputs)


xgboost_model("xgb_binary_logistic", {"objective": "binary:logistic"}, formats=("json", "ubj"))
xgboost_model("xgb_binary_logistic_nonan", {"objective": "binary:logistic"}, nan=False)
xgboost_model("xgb_binary_logitraw", {"objective": "binary:logitraw"})
xgboost_model("xgb_reg_squarederror", {"objective": "reg:squarederror"}, nan=False)
xgboost_model("xgb_reg_logistic_base", {"objective": "reg:logistic", "base_score": 0.3})
xgboost_model("xgb_count_poisson", {"objective": "count:poisson"}, positive=True)
xgboost_model("xgb_multi_softprob", {"objective": "multi:softprob", "num_class": 3}, classes=3, formats=("json", "ubj"))
xgboost_model("xgb_multi_softmax", {"objective": "multi:softmax", "num_class": 3}, classes=3)
xgboost_model("xgb_categorical", {"objective": "binary:logistic", "max_cat_to_onehot": 1}, categorical=True,
              formats=("json", "ubj"))
xgboost_model("xgb_dart", {"objective": "binary:logistic", "booster": "dart", "rate_drop": 0.3, "skip_drop": 0.0})
xgboost_model("xgb_gblinear", {"objective": "reg:squarederror", "booster": "gblinear"}, nan=False)
lightgbm_model("lgbm_binary_nan", {"objective": "binary"})
lightgbm_model("lgbm_regression_none", {"objective": "regression"}, nan=False)
lightgbm_model("lgbm_zero_as_missing", {"objective": "regression", "zero_as_missing": True})
lightgbm_model("lgbm_no_missing", {"objective": "binary", "use_missing": False})
lightgbm_model("lgbm_multiclass", {"objective": "multiclass", "num_class": 3}, classes=3)
lightgbm_model("lgbm_categorical", {"objective": "binary", "cat_smooth": 1, "min_data_per_group": 5}, categorical=True)
lightgbm_model("lgbm_linear_tree", {"objective": "regression", "linear_tree": True})
lightgbm_model("lgbm_rf", {"objective": "binary", "boosting": "rf", "bagging_fraction": 0.7, "bagging_freq": 1})
lightgbm_model("lgbm_poisson", {"objective": "poisson"}, positive=True)
lightgbm_model("lgbm_single_leaf", {"objective": "regression", "min_data_in_leaf": 10000}, rounds=3)
linear_model("linear_logistic")
print(f"trained models and goldens in {OUT}")
