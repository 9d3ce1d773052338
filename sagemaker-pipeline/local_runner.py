"""The step runner of `node run.js --local`: one Python process per run that imports the third-party modules of the
step scripts once, then forks one child per step. Each step still runs in a process of its own, with its own
working directory, environment, arguments and log files, as SageMaker runs each step in a container of its own; only
the interpreter's start and the imports (seconds of CPU for pandas and scikit-learn) are shared.

run.js (src/local-steps.ts) starts `python3 local_runner.py` with stdin and stdout as pipes and writes one JSON
request per line:

  {"script": "/abs/scripts/train.py", "args": ["--n_estimators", "200"], "env": {"SM_MODEL_DIR": "..."},
   "cwd": "/abs/repo", "stdout": "/abs/.local-run/TrainModel/stdout.log", "stderr": ".../stderr.log"}

and reads, per request, {"pid": <child>} when the step started, then {"exit": <code or null>, "signal": <name or
null>}. The first line the runner writes is {"ready": true} (or {"ready": false, "reason": ...} where os.fork does
not exist: run.js then runs each step as `python3 script.py`). It stops at the end of its input.

What the child does is what `python3 script.py` does: sys.path[0] is the script's folder, sys.argv its arguments,
stdin /dev/null (run.js gives a plain run an empty stdin too), stdout and stderr the log files; an uncaught exception
prints its traceback and exits 1, `sys.exit("msg")` prints msg and exits 1, `sys.exit(n)` exits n, KeyboardInterrupt
ends the process by SIGINT; atexit handlers run and the streams are flushed (a failed flush exits 120).

What is shared, and its trade-off: only the modules a script imports at its top, before any other statement, and
that resolve outside the repository (the project's own modules are imported by each step itself, fresh); a module
that fails to import here is left to the step, which then fails with its own error. Those modules were imported with
run.js's environment, not the step's additions (SageMaker's SM_* variables, read by no library at import time).
Thread pools: numpy's OpenBLAS starts its threads at import, honouring OPENBLAS_NUM_THREADS / OMP_NUM_THREADS as set
for run.js, and stops and restarts them around fork (its pthread_atfork handlers); this runner never runs a
computation, so no OpenMP pool exists when it forks. Forcing one thread would make forking trivially safe but every
step slower than in SageMaker; the variables are left as the data scientist set them.

Forking a process that loaded Apple's frameworks is unsafe on macOS, so run.js uses this runner on Linux only
(LOCAL_RUN_FORK=0 turns it off there too, LOCAL_RUN_FORK=1 on elsewhere). The Python tests import run_forked() from
here to run the scripts from the test process, which imported pandas and scikit-learn once.
"""
import ast
import atexit
import time
import importlib
import importlib.util
import io
import json
import os
import runpy
import signal
import sys
import threading
import traceback


def leading_imports(script):
    """The absolute module names a script imports before its first other statement (a docstring and
    `from __future__` aside): what `python3 script.py` imports with the same sys.path as this runner."""
    try:
        with open(script, "rb") as f:
            tree = ast.parse(f.read(), filename=script)
    except (OSError, SyntaxError, ValueError):
        return []
    names = []
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module != "__future__":
                names.append(node.module)
        elif not (i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    return names


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


def _project_module(path, folder, repository):
    """A module of the project: beside the script or in the repository, but not in this Python's installation (a
    virtual environment inside the repository, `.venv/`, holds installed packages, not the project's code)."""
    return (_inside(path, folder) or _inside(path, repository)) and not _inside(path, sys.prefix)


def preload(script, repository):
    """Imports the leading imports of `script` that resolve outside `repository`; returns their names (those this
    process had imported already included)."""
    folder = os.path.dirname(os.path.realpath(script))
    saved = sys.path[0]
    sys.path[0] = folder  # resolved as the step will resolve them
    imported = []
    try:
        for name in leading_imports(script):
            top = name.split(".")[0]
            if top in sys.modules and name in sys.modules:
                imported.append(name)
                continue
            try:
                spec = importlib.util.find_spec(top)
                locations = [spec.origin] if spec and spec.origin not in (None, "built-in", "frozen") else []
                locations += list(spec.submodule_search_locations or []) if spec else []
                if spec is None or any(_project_module(p, folder, repository) for p in locations):
                    continue
                importlib.import_module(name)
                imported.append(name)
            except KeyboardInterrupt:
                raise
            except BaseException:  # noqa: BLE001 - the step imports it again and fails with its own error
                continue
    finally:
        sys.path[0] = saved
    return imported


def _exit_status(code):
    """The exit status of `sys.exit(code)` in `python3 script.py` (the message, if any, goes to stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


def _report(exc, script):
    """Prints the traceback as `python3 script.py` does: from the script's frame on, without this runner's and
    runpy's frames (none when the script did not compile: a SyntaxError prints without a traceback then)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    sys.excepthook(type(exc), exc.with_traceback(tb), tb)


def _redirect(fd, path, flags):
    target = os.open(path, flags, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _fresh_streams():
    """sys.stdin/stdout/stderr on fds 0/1/2 as a new interpreter makes them (the forking process may have replaced
    its own: pytest's capture does): the encoding, error handler and buffering this interpreter started with (stdout
    and stderr unbuffered under -u or PYTHONUNBUFFERED; else stdout block-buffered, stderr line-buffered)."""
    for name, fd in (("stdin", 0), ("stdout", 1), ("stderr", 2)):
        original = getattr(sys, f"__{name}__")
        unbuffered = fd > 0 and isinstance(getattr(original, "buffer", None), io.RawIOBase)
        raw = io.FileIO(fd, "rb" if fd == 0 else "wb", closefd=False)
        buffered = raw if unbuffered else (io.BufferedReader if fd == 0 else io.BufferedWriter)(raw)
        stream = io.TextIOWrapper(buffered, encoding=getattr(original, "encoding", None),
                                  errors="backslashreplace" if fd == 2 else getattr(original, "errors", None),
                                  line_buffering=fd == 2 and not unbuffered, write_through=unbuffered)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run_script(script):
    """The script's exit status, as `python3 script.py` ends."""
    if not os.path.exists(script):
        sys.stderr.write(f"{os.path.basename(sys.executable)}: can't open file {script!r}: "
                         "[Errno 2] No such file or directory\n")
        return 2
    try:
        runpy.run_path(script, run_name="__main__")
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    except KeyboardInterrupt as exc:
        _report(exc, script)
        status = -signal.SIGINT
    except BaseException as exc:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        _report(exc, script)
        status = 1
    # As the interpreter ends: non-daemon threads joined, atexit handlers run, the standard streams flushed.
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            status = 120 if status == 0 else status
    return status


def _child(script, args, env, cwd, stdout, stderr, replace_env, closing, inherit_atexit):
    """Runs the script in this (forked) process and ends it with the status `python3 script.py` would have."""
    status = 1
    try:
        for fd in closing:
            os.close(fd)
        _redirect(0, os.devnull, os.O_RDONLY)
        _redirect(1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _redirect(2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        _fresh_streams()
        if replace_env:
            os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.argv = [script, *args]
        sys.path[0] = os.path.dirname(os.path.realpath(script))
        if not inherit_atexit:
            atexit._clear()
        status = _run_script(script)
    except BaseException:  # noqa: BLE001 - a failure of this runner itself: on the step's stderr, exit 1
        traceback.print_exc()
    finally:
        if status == -signal.SIGINT:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
        os._exit(status)


def run_forked(script, args=(), env=None, cwd=None, stdout=os.devnull, stderr=os.devnull, replace_env=False,
               started=None, closing=(), timeout=None, inherit_atexit=True):
    """Runs `script` as `python3 script <args>` would, in a child forked from this process; waits for it. `env`:
    variables added to this process's environment (or the whole environment with replace_env). `started(pid)` is
    called once the child runs; after `timeout` seconds the child is killed and TimeoutError raised. The child runs
    the atexit handlers it inherits (here: those of the modules preloaded for the scripts, as a plain run registers
    them), unless inherit_atexit is false: a host process with handlers of its own (pytest's, a temporary
    directory's cleanup) passes False, and the child runs only the handlers registered while the script runs.
    Returns {"exit": status or None, "signal": name or None}."""
    script = os.path.abspath(script)
    cwd = os.path.abspath(cwd or os.getcwd())
    preload(script, cwd)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    pid = os.fork()
    if pid == 0:
        _child(script, [str(a) for a in args], dict(env or {}), cwd, stdout, stderr, replace_env, closing,
               inherit_atexit)
    if started is not None:
        started(pid)
    status = _wait(pid, timeout)
    if os.WIFSIGNALED(status):
        return {"exit": None, "signal": signal.Signals(os.WTERMSIG(status)).name}
    return {"exit": os.WEXITSTATUS(status), "signal": None}


def _wait(pid, timeout):
    if timeout is None:
        return os.waitpid(pid, 0)[1]
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"{pid} ran longer than {timeout} s: killed")
        time.sleep(0.005)


def serve(requests, replies):
    """Answers each JSON request line of `requests` (a binary stream) on `replies` until the end of the input."""
    def reply(message):
        replies.write((json.dumps(message) + "\n").encode())
        replies.flush()

    if not hasattr(os, "fork"):
        reply({"ready": False, "reason": "os.fork does not exist on this platform"})
        return
    reply({"ready": True})
    closing = (requests.fileno(), replies.fileno())
    for line in requests:
        request = json.loads(line)
        reply(run_forked(request["script"], request.get("args", []), request.get("env", {}), request["cwd"],
                         request["stdout"], request["stderr"],
                         started=lambda pid: reply({"pid": pid}), closing=closing))


if __name__ == "__main__":
    # The protocol gets its own copies of stdin and stdout; fd 1 then points at stderr, so that a module printing
    # while it is imported here cannot corrupt a reply.
    protocol_in = os.fdopen(os.dup(0), "rb")
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(protocol_in, protocol_out)
