"""Evaluation step: scores the trained model on the test set and writes the evaluation report.

Runs in SageMaker's processing container of the model's framework (step EvaluateModel of pipeline.yaml). The
pipeline passes --model <dir> (the training job's model.tar.gz), each evaluation input as --<name> <dir> (here
--test, test.csv: no header, label first) and --evaluation <dir>, where evaluation.json is written in SageMaker's
regression model-quality form, {"regression_metrics": {"mse": {"value": ..., "standard_deviation": ...}, ...}}.
The pipeline reads the report as a property file, gates registration on the metric pipeline.yaml names, and
attaches the report to the model package.

Models: a scikit-learn estimator saved as model.joblib (scripts/train.py, scripts/train_forest.py), or the booster
of SageMaker's built-in XGBoost algorithm (xgboost-model; needs the xgboost package, present in its image).
"""
import argparse
import glob
import json
import os
import pickle
import sys
import tarfile

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

MODEL_FILE = "model.joblib"
XGBOOST_MODEL_FILE = "xgboost-model"
# Where each metric is in evaluation.json. run.js reads this mapping: a gate in pipeline.yaml may name these
# metrics only, and the pipeline's condition reads the value at this path.
METRIC_PATHS = {
    "mse": "regression_metrics.mse.value",
    "rmse": "regression_metrics.rmse.value",
    "mae": "regression_metrics.mae.value",
    "r2": "regression_metrics.r2.value",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--model", default="/opt/ml/processing/input/model")
    parser.add_argument("--test", default="/opt/ml/processing/input/test")
    parser.add_argument("--evaluation", default="/opt/ml/processing/output/evaluation")
    return parser.parse_args(argv)


class XGBoostModel:
    """The built-in algorithm's booster, with the predict() of a scikit-learn estimator."""

    def __init__(self, path):
        import xgboost  # only in the XGBoost image (or where installed)

        self.xgboost = xgboost
        try:
            with open(path, "rb") as f:
                self.booster = pickle.load(f)
        except Exception:  # newer containers save the booster in XGBoost's own format
            self.booster = xgboost.Booster()
            self.booster.load_model(path)

    def predict(self, features):
        return self.booster.predict(self.xgboost.DMatrix(features))


def load_model(model_dir):
    archive = os.path.join(model_dir, "model.tar.gz")
    if os.path.exists(archive):
        with tarfile.open(archive, "r:gz") as tar:
            names = tar.getnames()
            for name in (MODEL_FILE, XGBOOST_MODEL_FILE):
                if name in names:
                    tar.extract(tar.getmember(name), path=model_dir)
    if os.path.exists(os.path.join(model_dir, MODEL_FILE)):
        import joblib

        return joblib.load(os.path.join(model_dir, MODEL_FILE))
    if os.path.exists(os.path.join(model_dir, XGBOOST_MODEL_FILE)):
        return XGBoostModel(os.path.join(model_dir, XGBOOST_MODEL_FILE))
    raise SystemExit(f"evaluate: no model.tar.gz nor {MODEL_FILE} in {model_dir}")


def report(y_true, y_pred):
    errors = y_true - y_pred
    squared = errors**2
    mse = float(mean_squared_error(y_true, y_pred))
    return {
        "regression_metrics": {
            "mse": {"value": mse, "standard_deviation": float(np.std(squared))},
            "rmse": {"value": float(np.sqrt(mse)), "standard_deviation": float(np.std(np.abs(errors)))},
            "mae": {"value": float(mean_absolute_error(y_true, y_pred)), "standard_deviation": float(np.std(np.abs(errors)))},
            "r2": {"value": float(r2_score(y_true, y_pred)), "standard_deviation": 0.0},
        },
        "test_rows": int(len(y_true)),
    }


def main(argv=None):
    args = parse_args(argv)
    model = load_model(args.model)
    files = sorted(glob.glob(os.path.join(args.test, "*.csv")))
    if not files:
        raise SystemExit(f"evaluate: no .csv file in {args.test}")
    test = pd.concat([pd.read_csv(f, header=None) for f in files], ignore_index=True)
    y_true = test.iloc[:, 0].to_numpy(dtype=float)
    y_pred = np.asarray(model.predict(test.iloc[:, 1:].to_numpy(dtype=float)), dtype=float)
    result = report(y_true, y_pred)
    os.makedirs(args.evaluation, exist_ok=True)
    with open(os.path.join(args.evaluation, "evaluation.json"), "w") as f:
        json.dump(result, f, indent=2)
    print("evaluate: " + json.dumps({k: v["value"] for k, v in result["regression_metrics"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
