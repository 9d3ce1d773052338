"""The seed code's ML scripts run in sequence, as the pipeline runs them, on the small abalone sample shipped in
data/: preprocess.py → train.py → evaluate.py, with the container paths redirected (each input and output as
--<name> <dir> for the processing scripts, SM_* environment variables for training, model.tar.gz as the training job
leaves it). The quality gate is read from the real pipeline definition (the run command's --dry-run on
pipeline.yaml) and applied to the report. Independent of run.js --local (local.test.ts), which runs them itself."""
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import joblib
import pandas as pd
import pytest
import yaml

from conftest import run_script

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "sagemaker-pipeline"
SCRIPTS = SEED / "scripts"
SAMPLE = Path(__file__).resolve().parent / "data" / "abalone-sample.csv"
COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b"


def run(script, *args, env=None):
    """The script run as `python3 script.py` would, forked from this process by the step runner (conftest.py)."""
    return run_script(SCRIPTS / script, *args, env=env, timeout=300)


def plain_run(script, *args, env=None):
    """A new `python3 script.py` process (test_the_runner_gives_what_python3_script_py_gives compares)."""
    return subprocess.run([sys.executable, str(SCRIPTS / script), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def dry_run_definition(seed_root):
    """The run command's --dry-run (`node run.js`, bundled once per session: conftest.py) on pipeline.yaml, or on
    another config; the default definition is read once per module."""
    default = []

    def definition(config=None):
        if config is None and default:
            return default[0]
        args = ["--dry-run", "--branch", "main", "--commit", COMMIT] + (["--config", str(config)] if config else [])
        result = subprocess.run(["node", str(seed_root / "run.js"), *args], capture_output=True, text=True,
                                cwd=seed_root, timeout=120)
        assert result.returncode == 0, result.stderr
        parsed = json.loads(result.stdout)
        if config is None:
            default.append(parsed)
        return parsed

    return definition


def json_get(doc, path):
    for part in re.findall(r"[^.\[\]]+", path):
        doc = doc[part]
    return doc


def gate_passes(definition, report):
    """Evaluates the definition's Condition step the way SageMaker does, on the given evaluation report."""
    gate = next(s for s in definition["Steps"] if s["Type"] == "Condition")
    (condition,) = gate["Arguments"]["Conditions"]
    left = json_get(report, condition["LeftValue"]["Std:JsonGet"]["Path"])
    right = condition["RightValue"]
    return {"LessThanOrEqualTo": left <= right, "GreaterThanOrEqualTo": left >= right}[condition["Type"]], gate


def run_pipeline(work, run):
    """Runs the three scripts in work with run (run or plain_run); returns each run's result and the report."""
    (work / "input").mkdir()
    shutil.copy(SAMPLE, work / "input" / "abalone.csv")

    pre = run("preprocess.py", "--raw", str(work / "input"), "--train", str(work / "train"),
              "--validation", str(work / "validation"), "--test", str(work / "test"),
              "--validation-fraction", "0.15", "--test-fraction", "0.15")
    assert pre.returncode == 0, pre.stderr

    model_dir = work / "model"
    train = run("train.py", "--n_estimators", "200", "--max_depth", "3", "--learning_rate", "0.1", env={
        "SM_MODEL_DIR": str(model_dir),
        "SM_CHANNEL_TRAIN": str(work / "train"),
        "SM_CHANNEL_VALIDATION": str(work / "validation"),
    })
    assert train.returncode == 0, train.stderr

    # The training job uploads SM_MODEL_DIR as model.tar.gz; the evaluation step receives that archive.
    artifacts = work / "artifacts"
    artifacts.mkdir()
    with tarfile.open(artifacts / "model.tar.gz", "w:gz") as tar:
        for f in model_dir.iterdir():
            tar.add(f, arcname=f.name)

    evaluate = run("evaluate.py", "--model", str(artifacts), "--test", str(work / "test"),
                   "--evaluation", str(work / "evaluation"))
    assert evaluate.returncode == 0, evaluate.stderr
    report = json.loads((work / "evaluation" / "evaluation.json").read_text())
    return {"work": work, "train_stdout": train.stdout, "report": report, "runs": [pre, train, evaluate]}


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory):
    """Runs the three scripts once (through the step runner); the work directory, training output and report."""
    return run_pipeline(tmp_path_factory.mktemp("pipeline"), run)


def test_the_runner_gives_what_python3_script_py_gives(pipeline_run, tmp_path):
    """Each script run as a new `python3 script.py` process: the same exit status, stdout and stderr (paths aside)
    and the same files as through the step runner (pipeline_run, and every other test here)."""
    plain = run_pipeline(tmp_path, plain_run)
    forked_work = str(pipeline_run["work"])

    def outcome(result, work):
        return result.returncode, result.stdout.replace(str(work), "<work>"), result.stderr.replace(str(work), "<work>")

    assert [outcome(r, tmp_path) for r in plain["runs"]] == [outcome(r, forked_work) for r in pipeline_run["runs"]]
    assert plain["report"] == pipeline_run["report"]
    for made in ("train/train.csv", "validation/validation.csv", "test/test.csv"):
        assert (tmp_path / made).read_bytes() == (pipeline_run["work"] / made).read_bytes(), made
    # The same model, compared loaded: its pickle's bytes can depend on the state of the process that wrote it (seen
    # after the whole pytest run: one frame boundary of the pickle moved, the file's length the same).
    models = [joblib.load(work / "model" / "model.joblib") for work in (tmp_path, pipeline_run["work"])]
    assert models[0].get_params() == models[1].get_params()
    rows = pd.read_csv(tmp_path / "test" / "test.csv", header=None).iloc[:, 1:].to_numpy()
    assert (models[0].predict(rows) == models[1].predict(rows)).all()


def test_preprocess_splits_the_rows_with_the_label_first(pipeline_run):
    work = pipeline_run["work"]
    parts = {name: pd.read_csv(work / name / f"{name}.csv", header=None) for name in ("train", "validation", "test")}
    assert {name: len(frame) for name, frame in parts.items()} == {"train": 280, "validation": 60, "test": 60}
    raw = pd.read_csv(SAMPLE, header=None)
    # label (rings) first, 7 measurements, 3 one-hot sex columns
    assert all(frame.shape[1] == 11 for frame in parts.values())
    assert sorted(pd.concat(parts.values())[0].tolist()) == sorted(raw[8].astype(float).tolist())
    assert set(pd.concat(parts.values())[[8, 9, 10]].sum(axis=1)) == {1.0}


def test_report_has_every_metric_and_consistent_values(pipeline_run):
    metrics = pipeline_run["report"]["regression_metrics"]
    assert set(metrics) == {"mse", "rmse", "mae", "r2"}
    assert math.isclose(metrics["rmse"]["value"], math.sqrt(metrics["mse"]["value"]), rel_tol=1e-9)
    assert 0 < metrics["mae"]["value"] <= metrics["rmse"]["value"]
    # the model learned something: it beats predicting the mean (r2 > 0.5) on held-out rows
    assert metrics["r2"]["value"] > 0.5
    assert pipeline_run["report"]["test_rows"] == 60


def test_training_metrics_are_captured_by_the_metric_definitions(pipeline_run, dry_run_definition):
    definition = dry_run_definition()
    training = next(s for s in definition["Steps"] if s["Type"] == "Training")
    captured = {}
    for metric in training["Arguments"]["AlgorithmSpecification"]["MetricDefinitions"]:
        match = re.search(metric["Regex"], pipeline_run["train_stdout"])
        assert match, f"{metric['Name']} not captured from: {pipeline_run['train_stdout']}"
        captured[metric["Name"]] = float(match.group(1))
    assert set(captured) == {f"{c}:{m}" for c in ("train", "validation") for m in ("mse", "rmse", "mae", "r2")}
    assert math.isclose(captured["validation:rmse"], math.sqrt(captured["validation:mse"]), rel_tol=1e-4)


def test_gate_of_the_default_configuration_registers_the_model(pipeline_run, dry_run_definition):
    definition = dry_run_definition()
    passes, gate = gate_passes(definition, pipeline_run["report"])
    assert pipeline_run["report"]["regression_metrics"]["mse"]["value"] <= 6.0
    assert passes
    assert [s["Type"] for s in gate["Arguments"]["IfSteps"]] == ["RegisterModel"]


def with_gate(tmp_path, gate):
    """pipeline.yaml with another gate, written to tmp_path (scripts still resolved in the seed)."""
    config = yaml.safe_load((SEED / "pipeline.yaml").read_text())
    config["models"][0]["gate"] = gate
    (tmp_path / "pipeline.yaml").write_text(yaml.safe_dump(config))
    return tmp_path / "pipeline.yaml"


def test_gate_with_a_stricter_threshold_fails_the_pipeline(pipeline_run, dry_run_definition, tmp_path):
    mse = pipeline_run["report"]["regression_metrics"]["mse"]["value"]
    config = with_gate(tmp_path, {"metric": "mse", "max": round(mse / 2, 3)})
    passes, gate = gate_passes(dry_run_definition(config), pipeline_run["report"])
    assert not passes
    (fail,) = gate["Arguments"]["ElseSteps"]
    assert fail["Type"] == "Fail"
    assert f"mse <= {round(mse / 2, 3)}" in json.dumps(fail["Arguments"]["ErrorMessage"])


def test_gate_on_r2_compares_upwards(pipeline_run, dry_run_definition, tmp_path):
    config = with_gate(tmp_path, {"metric": "r2", "min": 0.99})
    passes, _ = gate_passes(dry_run_definition(config), pipeline_run["report"])
    assert not passes


def test_preprocess_rejects_an_unknown_sex_value(tmp_path):
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "bad.csv").write_text("X,0.5,0.4,0.1,0.8,0.3,0.2,0.3,10\n")
    result = run("preprocess.py", "--raw", str(tmp_path / "input"), "--train", str(tmp_path / "train"),
                 "--validation", str(tmp_path / "validation"), "--test", str(tmp_path / "test"))
    assert result.returncode != 0
    assert "unknown values in column sex: ['X']" in result.stderr


def test_evaluate_rejects_a_model_dir_without_a_model(tmp_path):
    (tmp_path / "model").mkdir()
    result = run("evaluate.py", "--model", str(tmp_path / "model"), "--test", str(tmp_path))
    assert result.returncode != 0
    assert "no model.tar.gz nor model.joblib" in result.stderr


def test_the_serving_functions_load_the_model_and_predict(pipeline_run):
    sys.path.insert(0, str(SCRIPTS))
    try:
        import train  # noqa: E402  (the serving container imports the script as a module)
    finally:
        sys.path.remove(str(SCRIPTS))
    model = train.model_fn(str(pipeline_run["work"] / "model"))
    rows = pd.read_csv(pipeline_run["work"] / "test" / "test.csv", header=None).iloc[:3, 1:].to_numpy()
    assert train.predict_fn(rows, model).shape == (3,)


def test_an_abbreviated_option_is_an_error_not_a_longer_one():
    """allow_abbrev=False: argparse must not take --max_dept for --max_depth (run.js refuses it too)."""
    result = run("train.py", "--max_dept", "3")
    assert result.returncode == 2
    assert "unrecognized arguments: --max_dept 3" in result.stderr
