"""The inference code of the multi-model endpoint (scripts/inference.py) on the tarball the deploy function wrote:
train.py trains on the abalone sample, the tarball is registered and approved in moto_server, the deploy function
(lambda/deploy-model, bundled with esbuild and run with node) copies it to the stage's serving bucket, and the bytes
at the TargetModel the SSM parameter names are extracted and served through model_fn → input_fn → predict_fn →
output_fn, as the scikit-learn container does. What this cannot prove: the container's own model server (not available offline)."""
import json
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import run_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "sagemaker-pipeline" / "scripts"
SAMPLE = Path(__file__).resolve().parent / "data" / "abalone-sample.csv"


def run(script, *args, env=None):
    """The script run as `python3 script.py` would, forked from this process by the step runner (conftest.py; the
    comparison with a plain run is in test_scripts.py)."""
    result = run_script(SCRIPTS / script, *args, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    port = free_port()
    # moto's own server through the tests' launcher (test/support/moto_server.py).
    launcher = Path(__file__).resolve().parents[1] / "support" / "moto_server.py"
    proc = subprocess.Popen([sys.executable, str(launcher), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("moto_server did not start")
            time.sleep(0.1)
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def served(tmp_path_factory, moto_endpoint, node_bundle):
    work = tmp_path_factory.mktemp("serving")
    (work / "input").mkdir()
    shutil.copy(SAMPLE, work / "input" / "abalone.csv")
    run("preprocess.py", "--raw", str(work / "input"), "--train", str(work / "train"),
        "--validation", str(work / "validation"), "--test", str(work / "test"),
        "--validation-fraction", "0.15", "--test-fraction", "0.15")
    model_dir = work / "model"
    run("train.py", "--n_estimators", "50", "--max_depth", "3", env={
        "SM_MODEL_DIR": str(model_dir),
        "SM_CHANNEL_TRAIN": str(work / "train"),
        "SM_CHANNEL_VALIDATION": str(work / "validation"),
    })
    trained = work / "model.tar.gz"
    with tarfile.open(trained, "w:gz") as tar:
        for f in model_dir.iterdir():
            tar.add(f, arcname=f.name)

    downloaded = work / "served.tar.gz"
    serve = node_bundle(ROOT / "test" / "support" / "serve-tarball.ts")  # bundled once per session: conftest.py
    result = subprocess.run(["node", str(serve), moto_endpoint, str(trained), str(downloaded)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # The multi-model endpoint extracts the tarball into a directory of its own per TargetModel.
    extracted = work / "loaded"
    with tarfile.open(downloaded) as tar:
        tar.extractall(extracted, filter="data")
    sys.path.insert(0, str(SCRIPTS))
    try:
        import inference  # noqa: E402  (the container imports the entry point as a module)
    finally:
        sys.path.remove(str(SCRIPTS))
    test_rows = pd.read_csv(work / "test" / "test.csv", header=None)
    return {"outcome": outcome, "trained": trained, "downloaded": downloaded, "dir": extracted,
            "inference": inference, "rows": test_rows}


def test_deploy_function_served_the_approved_tarball_at_its_version_key(served):
    assert served["outcome"]["outcome"] == "promoted"
    assert served["outcome"]["parameterValue"] == "abalone/model-abalone/v1.tar.gz"
    assert served["downloaded"].read_bytes() == served["trained"].read_bytes()


def test_served_tarball_predicts_csv_through_the_four_functions(served):
    inference = served["inference"]
    model = inference.model_fn(str(served["dir"]))
    features = served["rows"].iloc[:3, 1:]
    body = features.to_csv(header=False, index=False)
    data = inference.input_fn(body.encode(), "text/csv")
    prediction = inference.predict_fn(data, model)
    text, content_type = inference.output_fn(prediction, "text/csv")
    assert content_type == "text/csv"
    values = [float(line) for line in text.splitlines()]
    assert len(values) == 3
    # Same numbers as the model called directly: the functions add nothing and lose nothing.
    np.testing.assert_allclose(values, model.predict(features.to_numpy(dtype=float)))
    assert all(0 < v < 40 for v in values)  # abalone rings


def test_served_tarball_predicts_json(served):
    inference = served["inference"]
    model = inference.model_fn(str(served["dir"]))
    rows = served["rows"].iloc[:2, 1:].to_numpy(dtype=float).tolist()
    data = inference.input_fn(json.dumps({"instances": rows}), "application/json")
    body, content_type = inference.output_fn(inference.predict_fn(data, model), "application/json")
    assert content_type == "application/json"
    assert len(json.loads(body)["predictions"]) == 2


def test_bad_requests_are_refused_with_the_reason(served):
    inference = served["inference"]
    model = inference.model_fn(str(served["dir"]))
    with pytest.raises(ValueError, match="features"):
        inference.predict_fn(inference.input_fn("1,2,3", "text/csv"), model)
    with pytest.raises(ValueError, match="not rows of numbers"):
        inference.input_fn("a,b,c", "text/csv")
    with pytest.raises(ValueError, match="unsupported content type"):
        inference.input_fn("1", "application/x-npy")
    with pytest.raises(ValueError, match="no model.joblib"):
        inference.model_fn(str(served["dir"] / "missing"))
