"""Evaluation step: scores the trained model on the test set and writes the evaluation report.

Runs in SageMaker's scikit-learn processing container. Inputs: the training job's model.tar.gz under --model-dir
(default /opt/ml/processing/model) and test.csv under --test-dir (default /opt/ml/processing/test). Output:
--output-dir/evaluation.json (default /opt/ml/processing/evaluation) in SageMaker's regression model-quality form,
{"regression_metrics": {"mse": {"value": ..., "standard_deviation": ...}, ...}}; the pipeline reads it as a
property file, gates registration on the configured metric, and attaches it to the model package.
"""
import argparse
import glob
import json
import os
import sys
import tarfile

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

MODEL_FILE = "model.joblib"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", default="/opt/ml/processing/model")
    parser.add_argument("--test-dir", default="/opt/ml/processing/test")
    parser.add_argument("--output-dir", default="/opt/ml/processing/evaluation")
    return parser.parse_args(argv)


def load_model(model_dir):
    archive = os.path.join(model_dir, "model.tar.gz")
    if os.path.exists(archive):
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember(MODEL_FILE)
            tar.extract(member, path=model_dir)
    path = os.path.join(model_dir, MODEL_FILE)
    if not os.path.exists(path):
        raise SystemExit(f"evaluate: no model.tar.gz nor {MODEL_FILE} in {model_dir}")
    return joblib.load(path)


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
    model = load_model(args.model_dir)
    files = sorted(glob.glob(os.path.join(args.test_dir, "*.csv")))
    if not files:
        raise SystemExit(f"evaluate: no .csv file in {args.test_dir}")
    test = pd.concat([pd.read_csv(f, header=None) for f in files], ignore_index=True)
    y_true = test.iloc[:, 0].to_numpy(dtype=float)
    y_pred = model.predict(test.iloc[:, 1:].to_numpy(dtype=float))
    result = report(y_true, y_pred)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "evaluation.json"), "w") as f:
        json.dump(result, f, indent=2)
    print("evaluate: " + json.dumps({k: v["value"] for k, v in result["regression_metrics"].items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
