"""scripts/requirements_met.py: `npm test` skips pip only when every pin is installed at its version."""
import importlib.util
import pathlib
import subprocess
import sys
from importlib.metadata import version

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "requirements_met.py"
spec = importlib.util.spec_from_file_location("requirements_met", SCRIPT)
requirements_met = importlib.util.module_from_spec(spec)
spec.loader.exec_module(requirements_met)
PYTEST = version("pytest")


def test_installed_pins_comments_and_blank_lines_are_met():
    assert requirements_met.unmet(["# tools", "", f"pytest=={PYTEST}  # the runner", f"PyTest=={PYTEST}"]) is None


def test_another_version_is_not_met_and_names_both():
    assert requirements_met.unmet([f"pytest=={PYTEST}.999"]) == f"pytest: {PYTEST} installed, {PYTEST}.999 wanted"


def test_a_missing_package_is_not_met():
    assert requirements_met.unmet(["no-such-package-mbm==1.0"]) == "no-such-package-mbm: not installed (wants 1.0)"


def test_anything_but_an_exact_pin_is_left_to_pip():
    for line in ("pytest>=1", "pytest", "-r other.txt", "git+https://example.com/x.git"):
        assert requirements_met.unmet([line]) == f"{line}: not a name==version pin (pip decides)"


def test_the_command_exits_1_with_the_reason_and_0_when_met(tmp_path):
    unmet = tmp_path / "unmet.txt"
    unmet.write_text(f"pytest=={PYTEST}\nno-such-package-mbm==1.0\n")
    met = tmp_path / "met.txt"
    met.write_text(f"pytest=={PYTEST}\n")
    failed = subprocess.run([sys.executable, str(SCRIPT), str(unmet)], capture_output=True, text=True)
    assert failed.returncode == 1
    assert "no-such-package-mbm: not installed (wants 1.0); installing with pip" in failed.stderr
    ok = subprocess.run([sys.executable, str(SCRIPT), str(met)], capture_output=True, text=True)
    assert (ok.returncode, ok.stderr) == (0, "")
