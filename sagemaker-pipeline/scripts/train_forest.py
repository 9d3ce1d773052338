"""Training script of a second model family: a random forest that predicts abalone rings.

Same contract as train.py (SageMaker's scikit-learn container, script mode): hyperparameters arrive as --name value,
the channels as SM_CHANNEL_TRAIN / SM_CHANNEL_VALIDATION (CSV, no header, label first), the model is written to
SM_MODEL_DIR, metrics are printed as `<channel>:<metric>=<value>;`. Used by examples/two-models.yaml.
"""
import argparse
import os
import sys

from sklearn.ensemble import RandomForestRegressor

# train.py is packed beside this script (run.js packs every .py of scripts/ as the source directory): the fitting,
# the channel arguments, the metrics and the serving functions (model_fn, predict_fn, which the serving container
# calls) are its own.
from train import add_channel_arguments, fit_and_save, model_fn, predict_fn  # noqa: F401

# The metrics printed per channel (run.js reads this tuple; train.metrics computes them).
METRICS = ("mse", "rmse", "mae", "r2")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    add_channel_arguments(parser)
    parser.add_argument("--n_estimators", type=int, default=300)
    parser.add_argument("--max_depth", type=int, default=8)
    parser.add_argument("--min_samples_leaf", type=int, default=2)
    parser.add_argument("--max_features", type=float, default=0.6)
    parser.add_argument("--random_state", type=int, default=0)
    return parser.parse_args(argv)


# The options of parse_args that RandomForestRegressor takes as they are.
FOREST_OPTIONS = ("n_estimators", "max_depth", "min_samples_leaf", "max_features", "random_state")


def main(argv=None):
    args = parse_args(argv)
    # n_jobs=-1: the trees are fitted on every core of the training instance.
    model = RandomForestRegressor(n_jobs=-1, **{name: getattr(args, name) for name in FOREST_OPTIONS})
    return fit_and_save(model, args)


if __name__ == "__main__":
    sys.exit(main())
