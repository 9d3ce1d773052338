"""Training script: fits a gradient-boosted regressor that predicts abalone rings.

Runs in SageMaker's scikit-learn training container (script mode): hyperparameters arrive as --name value
arguments, the channels as SM_CHANNEL_TRAIN / SM_CHANNEL_VALIDATION (CSV, no header, label first), and the model is
written to SM_MODEL_DIR. Metrics are printed as `<channel>:<metric>=<value>;`, which the training job's metric
definitions capture. The serving container imports this module and calls model_fn / predict_fn.
"""
import argparse
import glob
import os
import sys

import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

MODEL_FILE = "model.joblib"
# The metrics printed for each channel as `<channel>:<metric>=<value>;`. run.js reads this tuple: the training job's
# metric definitions, and the metrics a tuning objective may name (validation:mse, ...), come from it.
METRICS = ("mse", "rmse", "mae", "r2")


def parse_args(argv=None):
    # Every --option below is a hyperparameter pipeline.yaml may set; run.js checks names and types against them.
    # allow_abbrev=False: an abbreviated name (max_dept) is an error, never silently taken for max_depth.
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--n_estimators", type=int, default=200)
    parser.add_argument("--max_depth", type=int, default=3)
    parser.add_argument("--learning_rate", type=float, default=0.1)
    parser.add_argument("--subsample", type=float, default=1.0)
    parser.add_argument("--random_state", type=int, default=0)
    add_channel_arguments(parser)
    return parser.parse_args(argv)


def add_channel_arguments(parser):
    """The model directory and the data channels, where SageMaker puts them (train_forest.py reuses this)."""
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    parser.add_argument(
        "--validation", default=os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation")
    )


def read_channel(directory):
    files = sorted(glob.glob(os.path.join(directory, "*.csv")))
    if not files:
        raise SystemExit(f"train: no .csv file in {directory}")
    data = pd.concat([pd.read_csv(f, header=None) for f in files], ignore_index=True)
    return data.iloc[:, 1:].to_numpy(dtype=float), data.iloc[:, 0].to_numpy(dtype=float)


def metrics(y_true, y_pred):
    mse = float(mean_squared_error(y_true, y_pred))
    values = {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "r2": float(r2_score(y_true, y_pred)),
    }
    return {name: values[name] for name in METRICS}


def fit_and_save(model, args):
    """Fits a scikit-learn estimator on the train channel, prints the metrics of both channels, saves it."""
    x_train, y_train = read_channel(args.train)
    x_validation, y_validation = read_channel(args.validation)
    model.fit(x_train, y_train)
    for channel, (x, y) in {"train": (x_train, y_train), "validation": (x_validation, y_validation)}.items():
        for name, value in metrics(y, model.predict(x)).items():
            print(f"{channel}:{name}={value:.6f};")
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, MODEL_FILE))
    return 0


def main(argv=None):
    args = parse_args(argv)
    model = GradientBoostingRegressor(
        n_estimators=args.n_estimators,
        max_depth=args.max_depth,
        learning_rate=args.learning_rate,
        subsample=args.subsample,
        random_state=args.random_state,
    )
    return fit_and_save(model, args)


# Serving (SageMaker scikit-learn container): load the model, predict on CSV rows of features.
def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, MODEL_FILE))


def predict_fn(input_data, model):
    return model.predict(np.asarray(input_data, dtype=float))


if __name__ == "__main__":
    sys.exit(main())
