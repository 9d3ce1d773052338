"""TypeScript the Python tests run, bundled once per session with esbuild (the seed build's bundler) and run with
node: one native esbuild call and one node start per run, instead of tsx's two node starts and per-file transforms
on every call.

- `seed_root`: a folder laid out as the seed repository (the seed's files symlinked, run.js bundled from run.ts with
  the options of lib/seed-code.ts), for `node run.js ...` as a data scientist runs it.
- `node_bundle(entry)`: a test helper (test/support/*.ts, ...) bundled into one .js file, run with `node <file>`.
- `run_script(script, *args, ...)`: a seed script run as `python3 script.py` would run, forked from this process by
  the seed's step runner (local_runner.py), reported as subprocess.run reports it.

What this cannot prove: that tsx runs these files (the tests run TypeScript through the same bundler as the seed's
run.js; tsx stays what `npm run bench*` and the docs use).
"""
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "sagemaker-pipeline"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
# lib/seed-code.ts stageSeedCode's buildSync options, as esbuild CLI flags.
SEED_BUILD_FLAGS = ["--bundle", "--platform=node", "--target=node20", "--format=cjs", "--minify",
                    "--main-fields=module,main", "--legal-comments=none", "--banner:js=#!/usr/bin/env node",
                    "--log-level=error"]


def esbuild(entry, outfile, flags):
    result = subprocess.run([str(ESBUILD), str(entry), f"--outfile={outfile}", *flags],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"esbuild {entry}: {result.stderr}"
    return outfile


@pytest.fixture(scope="session")
def seed_root(tmp_path_factory):
    """The seed's files (symlinked) with run.js bundled beside them, as lib/seed-code.ts stages them."""
    root = tmp_path_factory.mktemp("seed")
    for entry in SEED.iterdir():
        if entry.suffix != ".ts" and entry.name != "src":
            (root / entry.name).symlink_to(entry)
    return esbuild(SEED / "run.ts", root / "run.js", SEED_BUILD_FLAGS).parent


def mirror(entry, base):
    """A folder at entry's place in a mirror of the checkout under base: every other file and folder on the way is a
    symlink to the real one, and so is shared/ beside the checkout."""
    (base / "shared").symlink_to(ROOT.parent / "shared")
    source, target = ROOT, base / ROOT.name
    for part in [*entry.relative_to(ROOT).parent.parts, None]:
        target.mkdir()
        for child in source.iterdir():
            if child.name != part:
                (target / child.name).symlink_to(child)
        if part is not None:
            source, target = source / part, target / part
    return target


@pytest.fixture(scope="session")
def node_bundle(tmp_path_factory):
    """entry (a .ts file of the checkout) → one bundled .js file, built once per session. A bundle's __dirname is
    the folder it is written in, so it is written at its entry's place in a mirror of the checkout (mirror()): paths
    relative to __dirname (test/support/fixtures.ts reads ../../../shared) resolve as they do from the source."""
    built = {}

    def bundle(entry):
        entry = Path(entry).resolve()
        if entry not in built:
            folder = mirror(entry, tmp_path_factory.mktemp("bundle"))
            built[entry] = esbuild(entry, folder / f"{entry.stem}.bundle.js", [
                "--bundle", "--platform=node", "--target=node20", "--format=cjs", "--log-level=error"])
        return built[entry]

    return bundle


# The step runner of `node run.js --local` (sagemaker-pipeline/local_runner.py), imported from the seed: the tests run
# the scripts through it, forked from this process (which imported pandas and scikit-learn once), instead of paying a
# new interpreter and its imports per run. Each script keeps one test that runs it as `python3 script.py` and
# compares (test_scripts.py, test_extract.py); test_local_runner.py compares the runner itself with plain runs.
sys.path.insert(0, str(SEED))
import local_runner  # noqa: E402
sys.path.remove(str(SEED))


def run_script(script, *args, env=None, replace_env=False, cwd=None, timeout=300):
    """`python3 script args` as subprocess.run(capture_output=True, text=True) reports it (returncode negative for a
    signal), run through the step runner. env: variables added to this process's (the whole environment with
    replace_env, as subprocess.run's env=); stdin is empty."""
    with tempfile.TemporaryDirectory(prefix="run-script-") as logs:
        out, err = os.path.join(logs, "stdout"), os.path.join(logs, "stderr")
        ended = local_runner.run_forked(script, [str(a) for a in args], env or {}, cwd or os.getcwd(), out, err,
                                        replace_env=replace_env, timeout=timeout, inherit_atexit=False)
        returncode = ended["exit"] if ended["signal"] is None else -signal.Signals[ended["signal"]].value
        with open(out, encoding="utf-8", errors="replace") as o, open(err, encoding="utf-8", errors="replace") as e:
            return subprocess.CompletedProcess([script, *args], returncode, o.read(), e.read())
