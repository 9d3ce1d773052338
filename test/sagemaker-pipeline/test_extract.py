"""The extract step's script (sagemaker-pipeline/scripts/extract.py) run as the processing job runs it: a subprocess
with the job's environment variables and container paths (redirected under a temp dir), against a real PostgreSQL
server started once per session (postgres_server.py), the connection read from a Secrets Manager secret served by
moto (ThreadedMotoServer, reached by boto3 over HTTP through AWS_ENDPOINT_URL).

What these tests cannot prove: that the execution role may read the secret and nothing else (moto does not enforce
that resource policy here: the template tests check the grant), that the subnets route to Secrets Manager and the
warehouse (VPC networking), KMS decryption of a secret under a customer managed key, TLS against RDS's CA (the test
server runs without TLS, SQL_SSLMODE=disable), and Redshift (no Redshift here; docs/sql-source.md says what differs).
"""
import ast
import base64
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import boto3
import pytest

from conftest import run_script
from postgres_server import PostgresServer, free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "sagemaker-pipeline" / "scripts" / "extract.py"
VENDOR = SCRIPT.parent / "vendor"
REGION = "eu-west-1"

QUERY = """-- sales of one region in the run's window
SELECT id, region, amount, sold_on, note, flag, ratio, created_at
FROM sales
WHERE region = :region AND sold_on >= :window_start AND sold_on < :window_end AND amount >= :min_amount
ORDER BY id;
"""


@pytest.fixture(scope="session")
def pg():
    server = PostgresServer().start()
    server.psql(
        "-c",
        """
        CREATE TABLE sales (
          id integer PRIMARY KEY, region text NOT NULL, amount numeric(10, 2), sold_on date NOT NULL,
          note text, flag boolean, ratio double precision, created_at timestamptz
        );
        INSERT INTO sales VALUES
          (1, 'eu', 10.50, '2026-01-05', 'plain', true, 0.25, '2026-01-05 10:00:00+00'),
          (2, 'eu', 20.00, '2026-01-06', 'comma, "quotes" and
        a newline', false, NULL, '2026-01-06 11:30:00+00'),
          (3, 'us', 30.00, '2026-01-06', 'other region', true, 1.5, NULL),
          (4, 'eu', 40.25, '2026-01-20', 'ünïcödé ✓', NULL, -2.0, '2026-01-20 00:00:00+00'),
          (5, 'eu', 5.00, '2026-01-07', NULL, true, 3.0, '2026-01-07 09:00:00+00'),
          (6, 'eu', 60.00, '2026-02-01', 'outside the window', true, 1.0, '2026-02-01 00:00:00+00');
        CREATE TABLE recent (id integer, sold_on date);
        INSERT INTO recent SELECT i, current_date - i FROM generate_series(0, 59) i;
        CREATE TABLE fixed_width AS SELECT lpad(i::text, 50, '0') AS v FROM generate_series(1, 2000) i;
        """,
    )
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


@pytest.fixture(scope="session")
def secrets(moto):
    client = boto3.client("secretsmanager", endpoint_url=moto, region_name=REGION,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    created = {}

    def make(name, value):
        if name not in created:
            created[name] = client.create_secret(Name=name, SecretString=json.dumps(value))["ARN"]
        return created[name]

    return make


@pytest.fixture
def job(tmp_path, pg, moto, secrets):
    """Runs extract.py like the processing job: /opt/ml/... mapped under tmp_path."""
    root = tmp_path / "opt" / "ml"
    paths = {
        "query": root / "processing" / "input" / "query" / "sales.sql",
        "data": root / "processing" / "output" / "data",
        "manifest": root / "processing" / "output" / "manifest",
        "message": root / "output" / "message",
    }
    paths["query"].parent.mkdir(parents=True)
    secret_arn = secrets("warehouse/readonly", pg.secret())

    def run(query=QUERY, env=None, secret=None, timeout=60, plain=False):
        """plain: a new `python3 extract.py` process; else forked from this one by the step runner (conftest.py)."""
        paths["query"].write_text(query, encoding="utf-8")
        arn = secrets(f"warehouse/{hashlib.sha1(json.dumps(secret).encode()).hexdigest()}", secret) if secret else secret_arn
        full_env = {
            "PATH": os.environ["PATH"],
            **AWS_ENV,
            "AWS_ENDPOINT_URL": moto,
            "SQL_SOURCE": "sales",
            "SQL_SECRET_ARN": arn,
            "SQL_SSLMODE": "disable",
            **(env if env is not None else default_env()),
        }
        started = time.monotonic()
        args = ["--query-file", paths["query"], "--data-dir", paths["data"], "--manifest-dir", paths["manifest"],
                "--message-file", paths["message"]]
        if plain:
            result = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=full_env,
                                    capture_output=True, text=True, timeout=timeout)
        else:
            result = run_script(SCRIPT, *args, env=full_env, replace_env=True, timeout=timeout)
        result.seconds = time.monotonic() - started
        result.paths = paths
        result.outputs = "".join(
            p.read_text(encoding="utf-8", errors="replace") for p in paths["data"].parent.rglob("*") if p.is_file()
        ) + (paths["message"].read_text() if paths["message"].exists() else "")
        # The password never appears: not on stdout/stderr, not in any file the job leaves.
        for text in (result.stdout, result.stderr, result.outputs):
            assert pg.password not in text
        return result

    return run


def default_env(**extra):
    return {
        "SQL_PARAM_region": json.dumps("eu"),
        "SQL_PARAM_min_amount": json.dumps(5),
        "SQL_WINDOW_START": "2026-01-01",
        "SQL_WINDOW_END": "2026-02-01",
        **extra,
    }


def psql_copy(pg, sql, tmp_path):
    """The anchor: psql's \\copy of the same query (literal values), as CSV."""
    target = tmp_path / "copy.csv"
    pg.psql("-c", f"\\copy ({sql}) TO '{target}' WITH (FORMAT csv)")
    return target.read_bytes()


def manifest_of(result):
    return json.loads((result.paths["manifest"] / "manifest.json").read_text())


class TestExtract:
    def test_writes_the_rows_as_psql_copy_does_and_a_manifest(self, job, pg, tmp_path):
        result = job()
        assert result.returncode == 0, result.stderr
        data = (result.paths["data"] / "data.csv").read_bytes()
        literal = QUERY.split("\n", 1)[1].strip().rstrip(";")
        for name, value in {":region": "'eu'", ":window_start": "'2026-01-01'", ":window_end": "'2026-02-01'",
                            ":min_amount": "5"}.items():
            literal = literal.replace(name, value)
        # Byte for byte what psql \copy writes (server text of every type; quoting of commas, quotes, newlines).
        assert data == psql_copy(pg, literal, tmp_path)
        rows = list(csv.reader(io.StringIO(data.decode())))
        assert [r[0] for r in rows] == ["1", "2", "4", "5"]
        assert rows[1][4] == 'comma, "quotes" and\n        a newline'

        manifest = manifest_of(result)
        stripped = QUERY.strip().rstrip(";").rstrip()
        assert manifest["query"] == {
            "file": "sales.sql", "text": stripped, "sha256": hashlib.sha256(stripped.encode()).hexdigest()
        }
        assert manifest["parameters"] == {
            "region": "eu", "min_amount": 5, "window_start": "2026-01-01", "window_end": "2026-02-01"
        }
        assert manifest["window"]["start"] == "2026-01-01" and manifest["window"]["end"] == "2026-02-01"
        assert manifest["window"]["resolvedBy"] == "job"
        assert manifest["rows"] == 4
        assert manifest["data"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert manifest["data"]["bytes"] == len(data)
        assert manifest["server"]["version"] == pg.psql("-tAc", "SHOW server_version").strip()
        assert manifest["connection"] == {"secretArn": manifest["connection"]["secretArn"]}
        assert manifest["connection"]["secretArn"].startswith("arn:aws:secretsmanager:")
        assert manifest["seconds"] > 0
        assert [c["name"] for c in manifest["columns"]][:3] == ["id", "region", "amount"]
        # The job's ExitMessage (what RegisterModel records as data_sha256) is the data's sha256.
        assert result.paths["message"].read_text() == manifest["data"]["sha256"]
        assert manifest["data"]["sha256"] in result.stdout

    def test_resolves_a_relative_window_once_and_records_it(self, job):
        query = "SELECT id, sold_on FROM recent WHERE sold_on >= :window_start AND sold_on < :window_end ORDER BY id"
        before = dt.datetime.now(dt.timezone.utc).date()
        result = job(query, {"SQL_WINDOW_START": "today - 30 days", "SQL_WINDOW_END": "today"})
        after = dt.datetime.now(dt.timezone.utc).date()
        assert result.returncode == 0, result.stderr
        window = manifest_of(result)["window"]
        today = dt.date.fromisoformat(window["resolvedOn"])
        assert before <= today <= after
        assert window["start"] == (today - dt.timedelta(days=30)).isoformat()
        assert window["end"] == today.isoformat()
        assert window["spec"] == {"start": "today - 30 days", "end": "today"}
        assert window["resolvedBy"] == "job"
        # The server's current_date is the machine's local date; rows are current_date - i, i = 1..30 in the window.
        assert manifest_of(result)["rows"] in (29, 30, 31)

    def test_header_option_writes_column_names_first(self, job):
        result = job("SELECT id, region FROM sales WHERE id = :id", {"SQL_PARAM_id": "1", "SQL_HEADER": "true"})
        assert result.returncode == 0, result.stderr
        assert (result.paths["data"] / "data.csv").read_text() == "id,region\n1,eu\n"

    def test_memory_bound_sizes_the_fetch_batches(self, job):
        result = job("SELECT v FROM fixed_width ORDER BY v", {"SQL_MAX_BYTES": "8192"})
        assert result.returncode == 0, result.stderr
        manifest = manifest_of(result)
        memory = manifest["memory"]
        assert manifest["rows"] == 2000
        # 51-byte rows of one column cost 3 * 51 + 64 + 64 = 281 bytes each: 29 rows per batch, never over the bound.
        assert memory["largestBatchEstimate"] <= 8192
        assert memory["largestBatchRows"] == 29
        assert memory["batches"] >= 2000 // 29
        unbounded = job("SELECT v FROM fixed_width ORDER BY v", {})
        assert manifest_of(unbounded)["memory"]["batches"] < 5
        assert manifest_of(unbounded)["data"]["sha256"] == manifest["data"]["sha256"]


    def test_runs_as_python3_extract_py_does(self, job):
        """The step runner (every other test here) against a plain `python3 extract.py`: a success and a failure end
        with the same status, output and files (the run's time and duration aside)."""
        def outcome(result):
            manifest = manifest_of(result) if result.returncode == 0 else {}
            for when in ("seconds", "startedAt", "finishedAt"):
                manifest.pop(when, None)
            data = result.paths["data"] / "data.csv"
            stdout = re.sub(r", [0-9.]+ s$", ", <seconds> s", result.stdout.strip())
            return (result.returncode, stdout, result.stderr, manifest, result.paths["message"].read_text(),
                    data.read_bytes() if data.exists() else None)

        for query, env, status in ((QUERY, None, 0), ("SELECT * FROM no_such_table WHERE id = :id",
                                                      {"SQL_PARAM_id": "1"}, 5)):
            forked = outcome(job(query, env))
            assert forked == outcome(job(query, env, plain=True))
            assert forked[0] == status


class TestFailures:
    def test_unreachable_host_fails_fast_with_the_address(self, job):
        closed = free_port()
        result = job(secret={"engine": "postgres", "host": "127.0.0.1", "port": closed, "username": "u",
                             "password": "pw-not-shown", "dbname": "d"})
        assert result.returncode == 3
        assert f"cannot reach 127.0.0.1:{closed}" in result.stderr
        assert "pw-not-shown" not in result.stderr + result.outputs
        assert result.paths["message"].read_text().startswith("extract failed: cannot reach")
        assert not (result.paths["data"] / "data.csv").exists()

    def test_a_server_that_never_answers_times_out(self, job):
        with closing(socket.socket()) as silent:  # accepts TCP (backlog) and never speaks
            silent.bind(("127.0.0.1", 0))
            silent.listen(5)
            port = silent.getsockname()[1]
            result = job(
                env=default_env(SQL_CONNECT_TIMEOUT="1"),
                secret={"host": "127.0.0.1", "port": port, "username": "u", "password": "pw-x1", "dbname": "d"},
            )
        assert result.returncode == 3
        assert f"no answer from 127.0.0.1:{port} within 1 s" in result.stderr
        assert result.seconds < 15

    def test_bad_credentials(self, job, pg):
        result = job(secret=pg.secret(password="wrong-password-xyz"))
        assert result.returncode == 4
        assert "refused the credentials of user mlops (28P01" in result.stderr
        assert "wrong-password-xyz" not in result.stderr + result.outputs

    def test_a_secret_that_cannot_be_read(self, job, moto):
        result = job(env={**default_env(), "SQL_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:nope-AbCdEf"})
        assert result.returncode == 4
        assert "cannot read secret arn:aws:secretsmanager" in result.stderr
        assert "ResourceNotFoundException" in result.stderr

    def test_missing_table(self, job):
        result = job("SELECT * FROM no_such_table WHERE id = :id", {"SQL_PARAM_id": "1"})
        assert result.returncode == 5
        assert "sales.sql: a table or view the query reads does not exist" in result.stderr
        assert "(42P01: " in result.stderr
        assert 'relation "no_such_table" does not exist' in result.stderr
        assert not (result.paths["data"] / "data.csv").exists()

    def test_an_error_while_streaming_leaves_no_partial_file(self, job):
        # The division fails on the server at row 1500 of 2000, after earlier batches were written.
        result = job("SELECT v, 1 / (1500 - row_number() OVER (ORDER BY v)) AS boom FROM fixed_width ORDER BY v",
                     {"SQL_MAX_BYTES": "4096"})
        assert result.returncode == 5, result.stderr
        assert "22012" in result.stderr  # division_by_zero
        assert not (result.paths["data"] / "data.csv").exists()
        assert not (result.paths["manifest"] / "manifest.json").exists()

    def test_empty_result_is_refused_unless_allowed(self, job):
        query = "SELECT id FROM sales WHERE region = :region"
        refused = job(query, {"SQL_PARAM_region": json.dumps("nowhere")})
        assert refused.returncode == 6
        assert "sales.sql returned no row" in refused.stderr and "allowEmpty: true" in refused.stderr
        assert not (refused.paths["data"] / "data.csv").exists()
        assert not (refused.paths["manifest"] / "manifest.json").exists()
        allowed = job(query, {"SQL_PARAM_region": json.dumps("nowhere"), "SQL_ALLOW_EMPTY": "true"})
        assert allowed.returncode == 0, allowed.stderr
        assert manifest_of(allowed)["rows"] == 0
        assert (allowed.paths["data"] / "data.csv").read_bytes() == b""

    @pytest.mark.parametrize(
        "query, env, message",
        [
            ("SELECT id FROM sales WHERE region = :region", {}, "the query uses :region but parameters has no region"),
            ("SELECT id FROM sales", {"SQL_PARAM_region": '"eu"'}, "parameter region is not used by the query"),
            ("SELECT id FROM sales WHERE sold_on < :window_end", {}, "the query uses :window_end but the source has no window"),
            ("SELECT id FROM sales WHERE sold_on < :window_end",
             {"SQL_WINDOW_START": "2026-01-01", "SQL_WINDOW_END": "2026-02-01"},
             "the source has a window but the query does not use :window_start"),
            ("SELECT id FROM sales", {"SQL_WINDOW_START": "yesterday", "SQL_WINDOW_END": "today"},
             'window.start is "yesterday"'),
            ("SELECT id FROM sales", {"SQL_PARAM_window_start": '"x"'}, "parameter window_start is reserved"),
            ("SELECT id FROM sales WHERE id = $1", {}, "use named ones (:name)"),
        ],
    )
    def test_parameter_mistakes_fail_before_connecting(self, job, query, env, message):
        # The secret points at a closed port: reaching the check proves nothing was sent to a server.
        result = job(query, env, secret={"host": "127.0.0.1", "port": free_port(), "username": "u", "password": "p-123"})
        assert result.returncode == 2, result.stderr
        assert message in result.stderr

    def test_an_injection_attempt_through_a_parameter_is_bound_and_harmless(self, job, pg):
        before = pg.psql("-tAc", "SELECT count(*) FROM sales").strip()
        for attempt in ["eu' OR '1'='1", "eu'; DROP TABLE sales; --", "eu\\'; DELETE FROM sales; --"]:
            result = job("SELECT id FROM sales WHERE region = :region",
                         {"SQL_PARAM_region": json.dumps(attempt), "SQL_ALLOW_EMPTY": "true"})
            assert result.returncode == 0, result.stderr
            manifest = manifest_of(result)
            assert manifest["rows"] == 0  # compared as one string value: no region is named like that
            assert manifest["parameters"] == {"region": attempt}
        assert pg.psql("-tAc", "SELECT count(*) FROM sales").strip() == before == "6"

    def test_a_second_statement_in_the_query_file_is_refused_by_the_server(self, job, pg):
        result = job("SELECT id FROM sales WHERE region = :region; DELETE FROM sales", {"SQL_PARAM_region": '"eu"'})
        assert result.returncode == 5
        assert "42601" in result.stderr
        assert pg.psql("-tAc", "SELECT count(*) FROM sales").strip() == "6"


class TestLocalConnection:
    def test_a_connection_url_replaces_the_secret_for_local_runs(self, job, pg):
        env = {**default_env(), "SQL_CONNECTION_URL": pg.url(), "SQL_SECRET_ARN": ""}
        result = job(env=env)
        assert result.returncode == 0, result.stderr
        assert manifest_of(result)["connection"] == {"connectionUrl": "SQL_CONNECTION_URL (local run)"}
        assert manifest_of(result)["rows"] == 4


class TestVendoredDriver:
    def test_vendored_files_are_the_published_wheels_unmodified_with_their_licenses(self):
        records = sorted(VENDOR.glob("*.dist-info/RECORD"))
        assert {r.parent.name for r in records} == {
            "pg8000-1.31.5.dist-info", "scramp-1.4.17.dist-info", "asn1crypto-1.5.1.dist-info",
            "python_dateutil-2.9.0.post0.dist-info", "six-1.17.0.dist-info",
        }
        checked = 0
        for record in records:
            for row in csv.reader(record.read_text().splitlines()):
                path, digest = row[0], row[1]
                if not digest:
                    continue
                algorithm, expected = digest.split("=", 1)
                actual = base64.urlsafe_b64encode(hashlib.new(algorithm, (VENDOR / path).read_bytes()).digest())
                assert actual.rstrip(b"=").decode() == expected, path
                checked += 1
            assert list(record.parent.rglob("LICENSE*")), f"{record.parent.name} ships no license"
        assert checked > 50

    def test_script_and_driver_parse_as_python_3_9(self):
        # SageMaker's scikit-learn 1.2-1 image runs Python 3.9 (grammar check only: not a 3.9 interpreter).
        for path in [SCRIPT, *VENDOR.rglob("*.py")]:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 9))


class TestRunLocal:
    """`node run.js --local`'s extract (sagemaker-pipeline/src/sql-local.ts: runLocalExtract), bundled and run with
    node: the TypeScript side builds the step's environment (the same function as the pipeline definition) and the
    Python side extracts from the real server, with a connection string instead of the secret."""

    DRIVER = Path(__file__).resolve().parent / "support" / "local-extract.ts"

    @pytest.fixture(autouse=True)
    def bundled_driver(self, node_bundle):
        """local-extract.ts bundled once per session (conftest.py), run with node."""
        self.driver_js = node_bundle(self.DRIVER)

    def run(self, tmp_path, block, url=None, env_url=None):
        repo = tmp_path / "repo"
        (repo / "queries").mkdir(parents=True, exist_ok=True)
        (repo / "scripts").symlink_to(SCRIPT.parent) if not (repo / "scripts").exists() else None
        (repo / "queries" / "sales.sql").write_text(QUERY, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "SQL_CONNECTION_URL"}
        if env_url:
            env["SQL_CONNECTION_URL"] = env_url
        argv = ["node", str(self.driver_js), str(repo), str(tmp_path / ".local-run"), json.dumps(block)]
        return subprocess.run(argv + ([url] if url else []), env=env, capture_output=True, text=True, timeout=120)

    def test_extracts_from_a_local_connection_string_with_the_step_environment(self, tmp_path, pg):
        block = {"query": "queries/sales.sql", "parameters": {"region": "eu", "min_amount": 5},
                 "window": {"start": "2026-01-01", "end": "2026-02-01"}}
        result = self.run(tmp_path, block, env_url=pg.url() + "?sslmode=disable")
        assert result.returncode == 0, result.stderr
        outcome = json.loads(result.stdout)
        assert outcome["exitCode"] == 0, outcome["stderr"]
        assert outcome["dataDir"].endswith(".local-run/ExtractSales/output/data")
        manifest = outcome["manifest"]
        assert manifest["rows"] == 4
        assert manifest["window"]["resolvedBy"] == "definition"
        assert manifest["window"]["spec"] == {"start": "2026-01-01", "end": "2026-02-01"}
        data = (Path(outcome["dataDir"]) / "data.csv").read_bytes()
        assert manifest["data"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert pg.password not in result.stdout + result.stderr

    def test_the_flag_works_too_and_a_missing_url_names_both_ways(self, tmp_path, pg):
        block = {"query": "queries/sales.sql", "parameters": {"region": "eu", "min_amount": 5},
                 "window": {"start": "2026-01-01", "end": "2026-02-01"}, "sslMode": "disable"}
        flagged = self.run(tmp_path, block, url=pg.url())
        assert json.loads(flagged.stdout)["exitCode"] == 0
        missing = self.run(tmp_path, block)
        assert missing.returncode == 2
        assert "set SQL_CONNECTION_URL=postgresql://" in missing.stderr and "--sql-url" in missing.stderr


class TestStepAsRendered:
    """The extract step exactly as sqlExtractStep renders it (entrypoint, arguments, environment), run with the
    container's /opt/ml mapped under a temp dir, the code input holding extract.py and its vendored driver, and the
    secret ARN swapped for moto's (the only change)."""

    def test_the_rendered_step_runs_and_records_the_window_it_was_given(self, tmp_path, pg, moto, secrets,
                                                                         node_bundle):
        arn = secrets("warehouse/readonly", pg.secret())
        block = {"query": "queries/sales.sql", "parameters": {"region": "eu", "min_amount": 5},
                 "window": {"start": "2026-01-01", "end": "2026-02-01"}, "sslMode": "disable"}
        rendered = subprocess.run(
            ["node", str(node_bundle(TestRunLocal.DRIVER)), "--step", json.dumps(block), arn, REGION],
            capture_output=True, text=True, timeout=120,
        )
        assert rendered.returncode == 0, rendered.stderr
        arguments = json.loads(rendered.stdout)
        root = str(tmp_path)
        mapped = lambda value: value.replace("/opt/ml/", f"{root}/opt/ml/")  # noqa: E731
        code_dir = tmp_path / "opt" / "ml" / "processing" / "input" / "code"
        code_dir.parent.mkdir(parents=True)
        code_dir.symlink_to(SCRIPT.parent)
        app = arguments["AppSpecification"]
        argv = [mapped(a) for a in app["ContainerEntrypoint"] + app["ContainerArguments"]]
        query_file = Path(argv[argv.index("--query-file") + 1])
        query_file.parent.mkdir(parents=True)
        query_file.write_text(QUERY, encoding="utf-8")
        env = {"PATH": os.environ["PATH"], **AWS_ENV, "AWS_ENDPOINT_URL": moto, **arguments["Environment"]}
        assert env["SQL_SECRET_ARN"] == arn and "password" not in json.dumps(arguments).lower()
        result = subprocess.run([sys.executable if a == "python3" else a for a in argv], env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        manifest = json.loads((tmp_path / "opt/ml/processing/output/manifest/manifest.json").read_text())
        assert manifest["rows"] == 4
        assert manifest["window"]["resolvedBy"] == "definition"
        assert manifest["connection"] == {"secretArn": arn}
        data = (tmp_path / "opt/ml/processing/output/data/data.csv").read_bytes()
        assert (tmp_path / "opt/ml/output/message").read_text() == hashlib.sha256(data).hexdigest()
        assert pg.password not in result.stdout + result.stderr


class TestTls:
    """The test server offers TLS with a certificate for 127.0.0.1 signed by a CA made for the session: the query
    reads pg_stat_ssl for its own connection, so the CSV says whether the extract really was encrypted."""

    QUERY = "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl = :expected"

    def test_require_encrypts(self, job):
        result = job(self.QUERY, {"SQL_PARAM_expected": "true", "SQL_SSLMODE": "require"})
        assert result.returncode == 0, result.stderr
        assert (result.paths["data"] / "data.csv").read_text() == "true\n"

    def test_verify_full_trusts_only_the_given_ca(self, job, pg, tmp_path):
        trusted = job(self.QUERY, {"SQL_PARAM_expected": "true", "SQL_SSLMODE": "verify-full",
                                   "SQL_SSLROOTCERT": pg.ca_file})
        assert trusted.returncode == 0, trusted.stderr
        assert (trusted.paths["data"] / "data.csv").read_text() == "true\n"
        # The system CAs (no sslRootCert) do not know the session's CA: refused before any query.
        untrusted = job(self.QUERY, {"SQL_PARAM_expected": "true", "SQL_SSLMODE": "verify-full"})
        assert untrusted.returncode == 3
        assert "the server's certificate is not trusted" in untrusted.stderr
        assert "set sslRootCert" in untrusted.stderr

    def test_disable_is_plain_text(self, job):
        result = job(self.QUERY, {"SQL_PARAM_expected": "false", "SQL_SSLMODE": "disable"})
        assert result.returncode == 0, result.stderr
        assert (result.paths["data"] / "data.csv").read_text() == "false\n"


class TestRunJsLocal:
    """`node run.js --local --config examples/sql-source.yaml` end to end (run.js bundled from run.ts as the seed
    build does): the extract runs against the real server with SQL_CONNECTION_URL, and the pipeline's steps train
    and gate the model on exactly the rows the query selected (its region and window). Without a URL the extract is
    reported skipped with the reason, and the sample is used. The seed's files are symlinked into a temp root so that
    .local-run/ is written there. What this cannot prove: the extract step in SageMaker (test_extract.py's job
    fixture runs the script as the job does; the definition is checked in sql-pipeline.test.ts)."""

    SEED = ROOT / "sagemaker-pipeline"

    @pytest.fixture(scope="class")
    def table(self, pg):
        rows = list(csv.reader((self.SEED / "data" / "abalone-sample.csv").open(encoding="utf-8")))
        values = []
        for i, row in enumerate(rows):
            # Every third row is another region; every fifth (of the rest) is outside the example's 365-day window.
            region = "south" if i % 3 == 0 else "north"
            age = 400 if i % 5 == 0 else 1 + i % 300
            values.append(f"({i}, '{region}', current_date - {age}, '{row[0]}', {', '.join(row[1:])})")
        pg.psql("-c", f"""
            CREATE TABLE abalone_measurements (
              id integer PRIMARY KEY, region text, measured_on date, sex text, length float8, diameter float8,
              height float8, whole_weight float8, shucked_weight float8, viscera_weight float8, shell_weight float8,
              rings integer);
            INSERT INTO abalone_measurements VALUES {', '.join(values)};""")
        expected = [r for i, r in enumerate(rows) if i % 3 != 0 and i % 5 != 0]
        return expected

    def run_local(self, tmp_path, seed_root, env_extra):
        root = tmp_path / "seed"
        root.mkdir()
        for name in ["scripts", "queries", "examples", "data"]:
            (root / name).symlink_to(self.SEED / name)
        # run.js as the seed build bundles it (conftest.py, once per session), copied: its folder is the seed's root.
        shutil.copy(seed_root / "run.js", root / "run.js")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SQL_", "WAREHOUSE_"))}
        env.update(env_extra)
        result = subprocess.run(["node", "run.js", "--local", "--config", "examples/sql-source.yaml"], cwd=root,
                                env=env, capture_output=True, text=True, timeout=300)
        return root, result

    def test_extracts_with_the_connection_url_and_trains_on_exactly_those_rows(self, tmp_path, seed_root, pg, table):
        root, result = self.run_local(tmp_path, seed_root, {"SQL_CONNECTION_URL": pg.url()})
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"ExtractAbalone: {len(table)} rows" in result.stderr
        data = root / ".local-run" / "ExtractAbalone" / "output" / "data" / "data.csv"
        extracted = list(csv.reader(data.open(encoding="utf-8")))
        assert len(extracted) == len(table)
        assert [r[0] for r in extracted] == [r[0] for r in table]
        assert [float(r[1]) for r in extracted] == [float(r[1]) for r in table]
        manifest = json.loads((root / ".local-run" / "ExtractAbalone" / "output" / "manifest" / "manifest.json")
                              .read_text())
        assert manifest["rows"] == len(table)
        assert manifest["parameters"]["region"] == "north"
        # The preprocessing step read the extract (not the sample): its input is the extract's data.csv.
        staged = root / ".local-run" / "PreprocessData" / "input" / "raw" / "data.csv"
        assert staged.read_bytes() == data.read_bytes()
        assert "passed its gate" in result.stdout
        # What the version would record: the extract's sha256 (data_sha256), as the definition's RegisterModel does.
        assert f"data_sha256={manifest['data']['sha256']}" in result.stdout
        assert pg.password not in result.stdout + result.stderr

    def test_without_a_url_the_extract_is_skipped_with_the_reason_and_the_sample_used(self, tmp_path, seed_root):
        root, result = self.run_local(tmp_path, seed_root, {})
        assert "ExtractAbalone: skipped: a sql source runs locally against a database you name" in result.stderr
        assert "set SQL_CONNECTION_URL=postgresql://" in result.stderr
        assert "uses its sample data/abalone-sample.csv" in result.stderr
        assert not (root / ".local-run" / "ExtractAbalone").exists()
        staged = root / ".local-run" / "PreprocessData" / "input" / "raw" / "abalone-sample.csv"
        assert staged.exists()
        assert "data_sha256=" not in result.stdout
