"""Preprocessing step: reads the raw abalone CSV, encodes it, and splits it into train, validation and test sets.

Runs in SageMaker's scikit-learn processing container (step PreprocessData of pipeline.yaml). The pipeline passes
each input and output directory as an option named after it: --raw <dir> (every *.csv in it, no header, columns as
in ABALONE_COLUMNS), --train/--validation/--test <dir> (where train.csv, validation.csv and test.csv are written,
no header, the label `rings` first), and the step's `arguments` (--validation-fraction, --test-fraction).
`node run.js --local` runs it the same way with local directories.
"""
import argparse
import glob
import os
import sys

import numpy as np
import pandas as pd

ABALONE_COLUMNS = [
    "sex",
    "length",
    "diameter",
    "height",
    "whole_weight",
    "shucked_weight",
    "viscera_weight",
    "shell_weight",
    "rings",
]
LABEL = "rings"
SEXES = ["F", "I", "M"]


def parse_args(argv=None):
    # allow_abbrev=False: an abbreviated option is an error, never silently taken for a longer one.
    parser = argparse.ArgumentParser(description=__doc__, allow_abbrev=False)
    parser.add_argument("--raw", default="/opt/ml/processing/input/raw")
    parser.add_argument("--train", default="/opt/ml/processing/output/train")
    parser.add_argument("--validation", default="/opt/ml/processing/output/validation")
    parser.add_argument("--test", default="/opt/ml/processing/output/test")
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def read_raw(input_dir):
    files = sorted(glob.glob(os.path.join(input_dir, "*.csv")))
    if not files:
        raise SystemExit(f"preprocess: no .csv file in {input_dir}")
    frames = [pd.read_csv(f, header=None, names=ABALONE_COLUMNS) for f in files]
    return pd.concat(frames, ignore_index=True)


def encode(raw):
    """Label first, then the numeric features, then one column per sex (one-hot)."""
    unknown = sorted(set(raw["sex"].astype(str)) - set(SEXES))
    if unknown:
        raise SystemExit(f"preprocess: unknown values in column sex: {unknown}")
    features = raw[ABALONE_COLUMNS[1:-1]].astype(float)
    sexes = pd.DataFrame({f"sex_{s}": (raw["sex"] == s).astype(float) for s in SEXES})
    return pd.concat([raw[[LABEL]].astype(float), features, sexes], axis=1)


def split(frame, validation_fraction, test_fraction, seed):
    if not (0 < validation_fraction < 0.5 and 0 < test_fraction < 0.5):
        raise SystemExit("preprocess: fractions must be between 0 and 0.5")
    order = np.random.default_rng(seed).permutation(len(frame))
    n_test = max(1, int(round(len(frame) * test_fraction)))
    n_validation = max(1, int(round(len(frame) * validation_fraction)))
    test = frame.iloc[order[:n_test]]
    validation = frame.iloc[order[n_test : n_test + n_validation]]
    train = frame.iloc[order[n_test + n_validation :]]
    return {"train": train, "validation": validation, "test": test}


def main(argv=None):
    args = parse_args(argv)
    raw = read_raw(args.raw)
    parts = split(encode(raw), args.validation_fraction, args.test_fraction, args.seed)
    for name, part in parts.items():
        out = getattr(args, name)
        os.makedirs(out, exist_ok=True)
        part.to_csv(os.path.join(out, f"{name}.csv"), header=False, index=False)
        print(f"preprocess: {name}: {len(part)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
