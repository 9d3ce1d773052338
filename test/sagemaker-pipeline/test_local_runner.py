"""The step runner of `node run.js --local` (sagemaker-pipeline/local_runner.py) against `python3 script.py`: the
fixture step (data/steps/behave.py, `--do <behaviour>`) ends with the same exit status, stdout and stderr either way,
through run_forked() (from this process) and through the server run.js starts (`python3 local_runner.py`, JSON lines).
A step does not see the module state an earlier step left, reads an empty stdin without taking the server's
requests, and the server imports only the leading third-party imports of a script, never the project's modules.
The same comparison through run.js, with its `ran`/`FAILED` lines: test/sagemaker-pipeline/local-runner.test.ts."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, local_runner, run_script

BEHAVE = Path(__file__).resolve().parent / "data" / "steps" / "behave.py"
RUNNER = SEED / "local_runner.py"


def plain(*args):
    return subprocess.run([sys.executable, str(BEHAVE), *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)


@pytest.mark.parametrize("behaviour, returncode", [
    ("ok", 0), ("raise", 1), ("exit-message", 1), ("exit-3", 3), ("exit-none", 0), ("signal", -15),
    ("interrupt", -2), ("stdin", 0)])
def test_ends_as_python3_script_py_does(behaviour, returncode):
    expected = plain("--do", behaviour)
    forked = run_script(BEHAVE, "--do", behaviour)
    assert (forked.returncode, forked.stdout, forked.stderr) == (expected.returncode, expected.stdout,
                                                                 expected.stderr)
    assert forked.returncode == returncode


def test_a_script_that_does_not_compile_or_exist_fails_as_with_python3(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import json\nrows = (\n")
    for script in (broken, tmp_path / "missing.py"):
        expected = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
        forked = run_script(script)
        assert (forked.returncode, forked.stderr) == (expected.returncode,
                                                      expected.stderr.replace(sys.executable, "python3"))
        assert forked.returncode in (1, 2)


def test_a_step_does_not_see_the_module_state_an_earlier_step_left():
    mutated = run_script(BEHAVE, "--do", "mutate")
    assert mutated.returncode == 0, mutated.stderr
    checked = run_script(BEHAVE, "--do", "check")
    assert (checked.returncode, checked.stderr) == (0, "to stderr before check\n")
    assert "no state of a previous step" in checked.stdout
    assert not hasattr(json, "LEAK")


class TestServer:
    """`python3 local_runner.py` as run.js drives it."""

    @pytest.fixture
    def server(self):
        process = subprocess.Popen([sys.executable, str(RUNNER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, cwd=SEED)
        assert json.loads(process.stdout.readline()) == {"ready": True}
        yield process
        process.kill()
        process.wait(timeout=10)

    def step(self, server, tmp_path, behaviour):
        logs = tmp_path / behaviour
        logs.mkdir()
        server.stdin.write(json.dumps({"script": str(BEHAVE), "args": ["--do", behaviour], "env": {"STEP": "x"},
                                       "cwd": str(tmp_path), "stdout": str(logs / "stdout.log"),
                                       "stderr": str(logs / "stderr.log")}) + "\n")
        server.stdin.flush()
        started = json.loads(server.stdout.readline())
        ended = json.loads(server.stdout.readline())
        return started, ended, (logs / "stdout.log").read_text(), (logs / "stderr.log").read_text()

    def test_runs_each_request_in_a_child_that_does_not_share_state_or_stdin_and_stops_at_the_end(self, server,
                                                                                                  tmp_path):
        started, ended, _, _ = self.step(server, tmp_path, "mutate")
        assert set(started) == {"pid"} and started["pid"] != server.pid
        assert ended == {"exit": 0, "signal": None}
        # A step reading stdin reads nothing: the requests on the server's stdin are not its input.
        _, ended, stdout, _ = self.step(server, tmp_path, "stdin")
        assert (ended, stdout.splitlines()[-1]) == ({"exit": 0, "signal": None}, "stdin read ''")
        _, ended, stdout, stderr = self.step(server, tmp_path, "check")
        assert (ended, stderr) == ({"exit": 0, "signal": None}, "to stderr before check\n")
        _, ended, _, _ = self.step(server, tmp_path, "signal")
        assert ended == {"exit": None, "signal": "SIGTERM"}
        _, ended, _, stderr = self.step(server, tmp_path, "exit-message")
        assert (ended, stderr.splitlines()[-1]) == ({"exit": 1, "signal": None}, "stopped: the input has no rows")
        server.stdin.close()
        assert server.wait(timeout=10) == 0
        assert server.stderr.read() == ""


def test_preloads_the_leading_imports_that_resolve_outside_the_repository(tmp_path):
    repository = tmp_path / "repo"
    (repository / "scripts").mkdir(parents=True)
    (repository / "scripts" / "project_helper_for_runner_test.py").write_text("raise SystemExit('imported')\n")
    (repository / "project_root_module_for_runner_test.py").write_text("raise SystemExit('imported')\n")
    script = repository / "scripts" / "step.py"
    script.write_text('"""A step."""\nfrom __future__ import annotations\nimport json, csv\n'
                      "import project_helper_for_runner_test\nfrom email import message\n"
                      "import no_such_module_for_runner_test\nROWS = 1\nimport wave\n")
    assert local_runner.leading_imports(str(script)) == [
        "json", "csv", "project_helper_for_runner_test", "email", "no_such_module_for_runner_test"]
    sys.path.append(str(repository))  # a module of the repository on the path: still the project's, not preloaded
    try:
        assert local_runner.preload(str(script), str(repository)) == ["json", "csv", "email"]
    finally:
        sys.path.remove(str(repository))
    assert "project_helper_for_runner_test" not in sys.modules


def test_a_virtual_environment_inside_the_repository_is_not_the_projects_code(tmp_path, monkeypatch):
    repository = tmp_path / "repo"
    venv_package = repository / ".venv" / "lib" / "site-packages" / "installed_pkg_for_runner_test"
    venv_package.mkdir(parents=True)
    (venv_package / "__init__.py").write_text("")
    (repository / "step.py").write_text("import installed_pkg_for_runner_test\n")
    monkeypatch.setattr(sys, "prefix", str(repository / ".venv"))
    monkeypatch.setattr(sys, "path", [*sys.path, str(venv_package.parent)])
    assert local_runner.preload(str(repository / "step.py"), str(repository)) == ["installed_pkg_for_runner_test"]
    sys.modules.pop("installed_pkg_for_runner_test")
