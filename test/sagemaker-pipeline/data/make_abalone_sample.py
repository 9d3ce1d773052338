"""Writes abalone-sample.csv: 400 synthetic rows in the UCI abalone format (no header; sex, length, diameter,
height, whole_weight, shucked_weight, viscera_weight, shell_weight, rings), with proportions and noise close to
the real data set, so that the ML scripts can be tested offline. Deterministic: `python3 make_abalone_sample.py`."""
import csv
import os

import numpy as np

rng = np.random.default_rng(20210901)
rows = []
for _ in range(400):
    age = rng.gamma(shape=7.0, scale=1.4) + 1.5  # years ~ rings - 1.5
    length = float(np.clip(0.75 * (1 - np.exp(-age / 6.0)) + rng.normal(0, 0.015), 0.08, 0.8))
    diameter = float(np.clip(0.79 * length + rng.normal(0, 0.015), 0.05, 0.65))
    height = float(np.clip(0.27 * length + rng.normal(0, 0.012), 0.01, 0.25))
    whole = float(np.clip(4.9 * length**3 * (1 + rng.normal(0, 0.06)), 0.002, 2.8))
    shucked = float(whole * np.clip(rng.normal(0.43, 0.05), 0.2, 0.7))
    viscera = float(whole * np.clip(rng.normal(0.22, 0.03), 0.1, 0.35))
    shell = float(whole * np.clip(rng.normal(0.29, 0.015) + 0.01 * (age - 9), 0.12, 0.5))
    rings = int(max(1, round(age + 1.5 + rng.normal(0, 1.2))))
    sex = "I" if length < 0.42 and rng.random() < 0.8 else ("M" if rng.random() < 0.52 else "F")
    rows.append([sex] + [round(v, 4) for v in (length, diameter, height, whole, shucked, viscera, shell)] + [rings])

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "abalone-sample.csv"), "w", newline="") as f:
    csv.writer(f).writerows(rows)
