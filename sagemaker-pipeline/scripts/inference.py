"""Serving code of the stage's multi-model endpoint (SageMaker scikit-learn container, multi-model mode).

The container loads each model's tarball (model.joblib, as train.py writes it) into its own directory and calls, per
request: model_fn(model_dir) once per loaded model, then input_fn(body, content_type) → predict_fn(data, model) →
output_fn(prediction, accept). Requests are rows of features in the order preprocess.py writes them, without the
label: CSV (text/csv, one row per line, no header) or JSON ({"instances": [[...], ...]} or a list of rows).
Bad input raises ValueError with what was wrong; the container answers it as a client error.
"""
import io
import json
import os

import joblib
import numpy as np

MODEL_FILE = "model.joblib"
CSV = "text/csv"
JSON = "application/json"


def model_fn(model_dir):
    path = os.path.join(model_dir, MODEL_FILE)
    if not os.path.isfile(path):
        raise ValueError(f"no {MODEL_FILE} in the model directory {model_dir}: is this a tarball train.py wrote?")
    return joblib.load(path)


def _rows(values):
    array = np.asarray(values, dtype=float)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError("expected one or more rows of numeric features")
    return array


def input_fn(request_body, request_content_type=CSV):
    if isinstance(request_body, (bytes, bytearray)):
        request_body = request_body.decode("utf-8")
    content_type = (request_content_type or CSV).split(";")[0].strip().lower()
    if content_type == CSV:
        lines = [line for line in request_body.strip().splitlines() if line.strip()]
        try:
            return _rows(np.loadtxt(io.StringIO("\n".join(lines)), delimiter=",", ndmin=2))
        except ValueError as err:
            raise ValueError(f"text/csv body is not rows of numbers: {err}") from err
    if content_type == JSON:
        payload = json.loads(request_body)
        instances = payload.get("instances") if isinstance(payload, dict) else payload
        if instances is None:
            raise ValueError('application/json body must be a list of rows or {"instances": [...]}')
        return _rows(instances)
    raise ValueError(f"unsupported content type {request_content_type!r}: send {CSV} or {JSON}")


def predict_fn(input_data, model):
    expected = getattr(model, "n_features_in_", None)
    if expected is not None and input_data.shape[1] != expected:
        raise ValueError(f"each row needs {expected} features, got {input_data.shape[1]}")
    return model.predict(input_data)


def output_fn(prediction, accept=CSV):
    accept = (accept or CSV).split(";")[0].strip().lower()
    values = np.asarray(prediction).ravel().tolist()
    if accept in (CSV, "*/*"):
        return "\n".join(repr(float(v)) for v in values), CSV
    if accept == JSON:
        return json.dumps({"predictions": values}), JSON
    raise ValueError(f"unsupported accept type {accept!r}: ask for {CSV} or {JSON}")
