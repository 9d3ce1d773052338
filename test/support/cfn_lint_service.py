"""cfn-lint as a service for one jest run (test/support/cfn-lint-service.ts starts it; test/support/cfn-lint.ts asks it).

Python imports cfnlint once (about 1.3 CPU-s, on the first request) instead of once per lint. Each request runs
cfn-lint's own CLI entry (cfnlint.runner.main with the request's argv, stdout and stderr captured, its SystemExit code
returned), so the answer is what `cfn-lint <argv>` prints and exits with. Requests are served one at a time (the CLI
entry uses the process's argv, stdout and stderr).

An answer is kept for the run by the SHA-256 of the files' contents (with the options, the files' names and their
order): the same templates linted again, at another path, are not linted twice. The kept output names the paths it
was linted at; a later request gets it with its own paths put in their place (cfn-lint sorts findings by file name,
so the order of the paths is part of the key), each finding's id made again as cfnlint.match.Match makes it (from the rule,
message, file and line; an id it cannot make again means linting again). A request naming a file that cannot be read
is never kept. test/support/cfn-lint.test.ts checks an answer kept and moved against the cfn-lint CLI's own.

Protocol: POST /lint {"options": [...], "files": [...]} -> {"status": int, "stdout": str, "stderr": str,
"cached": bool}. The port is printed on stdout's first line; the service ends when its stdin closes (its parent went).
"""

import contextlib
import hashlib
import io
import json
import os
import pathlib
import re
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer

_kept: dict[str, tuple[list[str], int, str, str]] = {}


def _key(options: list[str], files: list[str]) -> str | None:
    described: list[object] = [options]
    for file in files:
        try:
            with open(file, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        except OSError:
            return None  # cfn-lint reports it (E0003); nothing to key on
        described.append([os.path.basename(file), digest])
    described.append(sorted(range(len(files)), key=lambda i: files[i]))
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def _run_cli(argv: list[str]) -> tuple[int, str, str]:
    import cfnlint.runner  # pylint: disable=import-outside-toplevel

    stdout, stderr = io.StringIO(), io.StringIO()
    status = 0
    saved_argv = sys.argv
    sys.argv = ["cfn-lint", *argv]
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                cfnlint.runner.main()
            except SystemExit as exit_:
                if exit_.code is None:
                    status = 0
                elif isinstance(exit_.code, int):
                    status = exit_.code
                else:  # as Python's own exit: the message on stderr, status 1
                    print(exit_.code, file=sys.stderr)
                    status = 1
            except Exception:  # pylint: disable=broad-except  # a crash, as the CLI would show it
                traceback.print_exc()
                status = 1
    finally:
        sys.argv = saved_argv
    return status, stdout.getvalue(), stderr.getvalue()


def _replace(text: str, paths: dict[str, str]) -> str:
    if not paths:
        return text
    pattern = re.compile("|".join(re.escape(o) for o in sorted(paths, key=len, reverse=True)))
    return pattern.sub(lambda m: paths[m.group(0)], text)


def _match_id(finding: dict) -> str:
    """cfnlint.match.Match's id: the MD5 of its repr (rule, message, file and line) as a UUID."""
    filename = finding["Filename"]
    file_str = pathlib.Path(filename).as_posix() + ":" if filename else ""
    rule = f"{finding['Rule']['Id']}: {finding['Rule']['ShortDescription']}"
    described = f"[{rule}] ({finding['Message']}) matched {file_str}{finding['Location']['Start']['LineNumber']}"
    return str(uuid.UUID(hex=hashlib.md5(described.encode("UTF-8"), usedforsecurity=False).hexdigest()))


def _moved(stdout: str, old: list[str], new: list[str]) -> str | None:
    """The kept JSON report as cfn-lint prints it for the new paths (None: it cannot be moved, lint again)."""
    paths = {o: n for o, n in zip(old, new) if o != n}
    if not paths or not stdout.strip():
        return stdout
    try:
        findings = json.loads(stdout)
    except ValueError:
        return None  # not a report: lint again
    ids: dict[str, str] = {}
    for finding in findings:
        if finding["Id"] != _match_id(finding):
            return None  # not the id this knows how to make
        finding["Filename"] = paths.get(finding["Filename"], finding["Filename"])
        finding["Message"] = _replace(finding["Message"], paths)
        ids[finding["Id"]] = finding["Id"] = _match_id(finding)
    for finding in findings:
        if finding["ParentId"] is not None:
            if finding["ParentId"] not in ids:
                return None
            finding["ParentId"] = ids[finding["ParentId"]]
    # cfnlint.formatters.json.JsonFormatter's dump, printed by the CLI with a newline
    return json.dumps(findings, indent=4, sort_keys=True, separators=(",", ": ")) + "\n"


def lint(options: list[str], files: list[str]) -> dict[str, object]:
    key = _key(options, files)
    if key is not None and key in _kept:
        paths, status, stdout, stderr = _kept[key]
        moved = _moved(stdout, paths, files)
        if moved is not None:
            stderr = _replace(stderr, {o: n for o, n in zip(paths, files) if o != n})
            return {"status": status, "stdout": moved, "stderr": stderr, "cached": True}
    status, stdout, stderr = _run_cli([*options, *files])
    if key is not None:
        _kept[key] = (list(files), status, stdout, stderr)
    return {"status": status, "stdout": stdout, "stderr": stderr, "cached": False}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # pylint: disable=invalid-name
        try:
            if self.path != "/lint":
                raise ValueError(f"unknown path {self.path}; POST /lint")
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            options, files = request.get("options"), request.get("files")
            if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in (options, files)):
                raise ValueError('the request needs "options" and "files", lists of strings')
            body, code = json.dumps(lint(options, files)).encode(), 200
        except Exception as error:  # pylint: disable=broad-except
            body, code = f"cfn-lint service: {error}".encode(), 400
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args) -> None:  # pylint: disable=redefined-builtin
        pass


def _end_with_parent() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


if __name__ == "__main__":
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=_end_with_parent, daemon=True).start()
    print(server.server_address[1], flush=True)
    server.serve_forever()
