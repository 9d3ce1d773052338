# Longer than 300 lines: uploaded as one file beside scripts/vendor/ (sql-source/code.ts uploads only extract.py and vendor/), and tests import it as one module.
"""Extract step of a `sql:` data source: runs one query against PostgreSQL (or Redshift through its PostgreSQL
protocol) and writes the rows as CSV, with a manifest beside them that records exactly which rows were read.

Runs in SageMaker's scikit-learn processing container, which has no PostgreSQL driver and must install nothing: the
pure-Python driver pg8000 and its pure-Python dependencies are vendored in `vendor/` beside this file
(versions and licenses in vendor/README.md). Everything is configured by the environment (set by the
pipeline definition, see sagemaker-pipeline/src/sql-source.ts) and three paths given as arguments:

  python3 extract.py --query-file Q.sql --data-dir D --manifest-dir M [--message-file /opt/ml/output/message]

Environment:
  SQL_SOURCE           name of the data source in pipeline.yaml (recorded)
  SQL_SECRET_ARN       Secrets Manager secret in RDS's JSON shape (host, port, username, password, dbname, engine),
                       read at run time (in the secret's region); or, for local runs only, SQL_CONNECTION_URL
                       (postgresql://user:password@host:5432/dbname[?sslmode=disable])
  SQL_PARAM_<name>     one per named parameter: the JSON-encoded value bound to `:<name>` in the query
  SQL_WINDOW_START     the window's first day: an ISO date or "today - N days" (UTC), bound as `:window_start`
  SQL_WINDOW_END       the window's end: same forms, bound as `:window_end` (both or neither)
  SQL_WINDOW_SPEC      JSON {"start", "end"} as pipeline.yaml wrote them, when the definition resolved the window
  SQL_ALLOW_EMPTY      "true" accepts a query that returns no row (default: refused)
  SQL_MAX_BYTES        bound of the memory one fetched batch takes (its rows and their CSV; default 16777216)
  SQL_HEADER           "true" writes the column names as the first CSV line (default: no header)
  SQL_SSLMODE          disable | require | verify-full (default require)
  SQL_SSLROOTCERT      CA bundle for verify-full (default: the system's CAs)
  SQL_CONNECT_TIMEOUT  seconds to wait for the server to answer while connecting (default 10)

Outputs: <data-dir>/data.csv, <manifest-dir>/manifest.json and the message file, whose content (the data file's
sha256 on success, the error otherwise) SageMaker returns as the job's ExitMessage: RegisterModel reads it as the
step property `ExitMessage`. Exit status 0 on success; on failure a one-line `extract: error: ...` on stderr and:
2 configuration or parameters, 3 server unreachable or timed out, 4 credentials refused, 5 query failed (a missing
table, ...), 6 empty result, 1 anything else. The password never appears in any output.
"""
import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import socket
import ssl
import struct
import sys
import time
from urllib.parse import parse_qsl, unquote, urlsplit

VENDOR_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor")
sys.path.insert(0, VENDOR_DIR)

import pg8000.native  # noqa: E402  (vendored: the path above comes first)
from pg8000.exceptions import DatabaseError, InterfaceError  # noqa: E402

MANIFEST_VERSION = 1
WINDOW_PARAMETERS = ("window_start", "window_end")
PARAMETER_PREFIX = "SQL_PARAM_"
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
RELATIVE_DATE = re.compile(r"^\s*today\s*(?:-\s*(\d{1,5})\s*days?)?\s*$")
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
FIRST_BATCH_ROWS = 1  # learns the row width before sizing batches by SQL_MAX_BYTES
MAX_BATCH_ROWS = 100_000
ENGINES = {"postgres": 5432, "aurora-postgresql": 5432, "redshift": 5439}
CURSOR = "mlops_extract"

EXIT = {"config": 2, "unreachable": 3, "credentials": 4, "query": 5, "empty": 6, "internal": 1}


class ExtractError(Exception):
    """A failure with its kind (an EXIT key) and a message meant for the data scientist."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


# --- settings ----------------------------------------------------------------------------------------------------


def resolve_date(spec, today, what):
    """An ISO date, or `today` / `today - N days` relative to `today` (a date)."""
    text = str(spec).strip()
    match = RELATIVE_DATE.match(text)
    if match:
        return today - dt.timedelta(days=int(match.group(1) or 0))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ExtractError(
            "config", f'{what} is {json.dumps(text)}: use an ISO date (2026-01-31) or "today - N days"'
        ) from None


def resolve_window(env, today):
    start, end = env.get("SQL_WINDOW_START"), env.get("SQL_WINDOW_END")
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise ExtractError("config", "the window needs both start and end (SQL_WINDOW_START, SQL_WINDOW_END)")
    resolved = {
        "start": resolve_date(start, today, "window.start"),
        "end": resolve_date(end, today, "window.end"),
    }
    if resolved["start"] > resolved["end"]:
        raise ExtractError(
            "config",
            f"window.start {resolved['start'].isoformat()} is after window.end {resolved['end'].isoformat()}",
        )
    spec, resolved_by = {"start": start, "end": end}, "job"
    if env.get("SQL_WINDOW_SPEC"):
        # The definition resolved pipeline.yaml's window when it was built (once per run): record what was written.
        try:
            spec, resolved_by = json.loads(env["SQL_WINDOW_SPEC"]), "definition"
        except ValueError:
            raise ExtractError("config", "SQL_WINDOW_SPEC is not JSON") from None
    return {"spec": spec, "today": today, "resolvedBy": resolved_by, **resolved}


def read_parameters(env):
    """SQL_PARAM_<name> → the JSON-decoded value (string, number, boolean or null)."""
    parameters = {}
    for key, raw in env.items():
        if not key.startswith(PARAMETER_PREFIX):
            continue
        name = key[len(PARAMETER_PREFIX):]
        if not PARAMETER_NAME.match(name):
            raise ExtractError("config", f"parameter name {json.dumps(name)} is not a SQL identifier")
        if name in WINDOW_PARAMETERS:
            raise ExtractError("config", f"parameter {name} is reserved for the window: set window.start/end")
        try:
            value = json.loads(raw)
        except ValueError:
            raise ExtractError("config", f"{key} is not JSON-encoded: {json.dumps(raw)}") from None
        if isinstance(value, (dict, list)):
            raise ExtractError("config", f"parameter {name} must be a string, number, boolean or null")
        parameters[name] = value
    return parameters


def env_flag(env, key):
    value = env.get(key, "false").strip().lower()
    if value not in ("true", "false"):
        raise ExtractError("config", f"{key} must be true or false, got {json.dumps(value)}")
    return value == "true"


def env_int(env, key, default, minimum):
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise ExtractError("config", f"{key} must be an integer >= {minimum}, got {json.dumps(raw)}")
    return int(raw)


def placeholders(query):
    """The `:name` placeholders of a query, as the driver itself parses them (quotes, comments, `::` casts)."""
    names = []

    class Recorder(dict):
        def __getitem__(self, name):
            names.append(name)
            return None

    try:
        statement, make_values = pg8000.native.to_statement(query)
        make_values(Recorder())
    except IndexError:  # a $n placeholder indexes the (empty) positional values
        names.append(0)
    except (InterfaceError, AttributeError) as e:
        raise ExtractError("config", f"the query's placeholders cannot be parsed: {e}") from None
    positional = [n for n in names if isinstance(n, int)]
    if positional:
        raise ExtractError("config", "the query uses $1-style placeholders: use named ones (:name) instead")
    return statement, list(dict.fromkeys(names))


def check_parameters(used, given, has_window):
    """Every bound name is used by the query and every placeholder is bound, before touching the database."""
    provided = set(given) | (set(WINDOW_PARAMETERS) if has_window else set())
    lacking = [n for n in used if n not in provided]
    unused = sorted(provided - set(used))
    problems = []
    for name in lacking:
        if name in WINDOW_PARAMETERS:
            problems.append(f"the query uses :{name} but the source has no window: add window.start and window.end")
        else:
            problems.append(f"the query uses :{name} but parameters has no {name}: add it under parameters")
    for name in unused:
        if name in WINDOW_PARAMETERS:
            problems.append(f"the source has a window but the query does not use :{name}: use it or remove the window")
        else:
            problems.append(f"parameter {name} is not used by the query (no :{name} in it): remove it or use it")
    if problems:
        raise ExtractError("config", "; ".join(problems))


# --- connection --------------------------------------------------------------------------------------------------


def secret_from_aws(arn):
    import boto3  # in SageMaker's framework containers; imported only when a secret is read

    try:
        # The secret's own region (its ARN's fourth field): a secret may live outside the pipeline's region.
        region = arn.split(":")[3] if arn.count(":") >= 6 else None
        client = boto3.client("secretsmanager", region_name=region or None)
        text = client.get_secret_value(SecretId=arn)["SecretString"]
    except Exception as e:  # botocore's errors carry no secret value
        raise ExtractError(
            "credentials",
            f"cannot read secret {arn}: {type(e).__name__}: {e} (the execution role needs "
            "secretsmanager:GetSecretValue on it, and the subnets a route to Secrets Manager)",
        ) from None
    try:
        return json.loads(text)
    except ValueError:
        raise ExtractError("config", f"secret {arn} is not JSON in RDS's shape (host, port, username, ...)") from None


def secret_from_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres", "redshift"):
        raise ExtractError("config", "SQL_CONNECTION_URL must look like postgresql://user:password@host:5432/dbname")
    return {
        "engine": "redshift" if parts.scheme == "redshift" else "postgres",
        "host": parts.hostname or "localhost",
        "port": parts.port,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "dbname": unquote(parts.path.lstrip("/")) or None,
        "sslmode": dict(parse_qsl(parts.query)).get("sslmode"),
    }


def connection_settings(secret, where):
    """Validated connection fields from an RDS-shaped secret (never echoing the password)."""
    if not isinstance(secret, dict):
        raise ExtractError("config", f"{where} must be a JSON object in RDS's shape")
    engine = str(secret.get("engine") or "postgres")
    if engine not in ENGINES:
        raise ExtractError("config", f"{where}: engine {json.dumps(engine)} is not one of {', '.join(ENGINES)}")
    missing = [k for k in ("host", "username", "password") if not secret.get(k)]
    if missing:
        raise ExtractError("config", f"{where} lacks {', '.join(missing)} (RDS shape: host, port, username, password, dbname, engine)")
    port = secret.get("port") or ENGINES[engine]
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise ExtractError("config", f"{where}: port {json.dumps(str(port))} is not a number") from None
    default_db = "dev" if engine == "redshift" else "postgres"
    return {
        "engine": engine,
        "host": str(secret["host"]),
        "port": port,
        "username": str(secret["username"]),
        "password": str(secret["password"]),
        "dbname": str(secret.get("dbname") or default_db),
    }


def ssl_context(mode, root_cert):
    if mode == "disable":
        return False  # pg8000: False is plain text; None would try TLS without verifying (libpq's "prefer")
    if mode == "require":  # encrypted, server not verified (libpq's sslmode=require)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if mode == "verify-full":
        try:
            return ssl.create_default_context(cafile=root_cert or None)
        except (OSError, ssl.SSLError) as e:
            raise ExtractError("config", f"cannot load the CA bundle {root_cert} (sslRootCert): {e}") from None
    raise ExtractError("config", f"SQL_SSLMODE must be disable, require or verify-full, got {json.dumps(mode)}")


def sqlstate(error):
    detail = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return detail.get("C", ""), detail.get("M", str(error))


def connect(settings, context, timeout):
    where = f"{settings['host']}:{settings['port']}"
    try:
        con = pg8000.native.Connection(
            user=settings["username"],
            password=settings["password"],
            host=settings["host"],
            port=settings["port"],
            database=settings["dbname"],
            ssl_context=context,
            timeout=timeout,
            application_name="multibranch-mlops-extract",
        )
    except DatabaseError as e:
        code, message = sqlstate(e)
        if code in ("28P01", "28000"):
            raise ExtractError(
                "credentials",
                f"{where} refused the credentials of user {settings['username']} ({code}: {message}); "
                "check the secret's username and password",
            ) from None
        if code == "3D000":
            raise ExtractError("config", f"{where}: {message} (check the secret's dbname)") from None
        raise ExtractError("unreachable", f"{where} refused the connection ({code}: {message})") from None
    except (InterfaceError, OSError) as e:  # OSError: a socket timeout or reset raised while starting up
        cause = e if isinstance(e, OSError) else e.__cause__
        if isinstance(cause, ssl.SSLCertVerificationError):
            raise ExtractError(
                "unreachable",
                f"{where}: the server's certificate is not trusted ({cause.verify_message}): with sslMode verify-full, "
                "set sslRootCert to the CA bundle that signed it (RDS: the region's bundle) and use the host name "
                "the certificate names",
            ) from None
        if "Server refuses SSL" in str(e):
            raise ExtractError(
                "unreachable", f"{where} does not offer TLS: set sslMode disable only for a server on a trusted network"
            ) from None
        if isinstance(cause, (socket.timeout, TimeoutError)) or "timeout" in str(cause).lower():
            raise ExtractError(
                "unreachable",
                f"no answer from {where} within {timeout} s (SQL_CONNECT_TIMEOUT): check the host, the subnets' "
                "route to it and that its security group admits the job's",
            ) from None
        reason = f"{type(cause).__name__}: {cause}" if cause is not None else str(e)
        raise ExtractError(
            "unreachable",
            f"cannot reach {where} ({reason}): check the host and port, the subnets' route to it and its "
            "security group",
        ) from None
    # Server-side work (the query, each FETCH) may take longer than connecting: no socket timeout from here on;
    # the job's MaxRuntimeInSeconds bounds the whole extract.
    sock = getattr(con, "_usock", None)
    if sock is not None:
        sock.settimeout(None)
    return con


# --- extract -----------------------------------------------------------------------------------------------------


def _text(value):
    return value


DATA_ROW = b"D"  # the protocol's DataRow message
_INT32 = struct.Struct("!i").unpack_from


def _data_row_as_text(data, context):
    """pg8000's DataRow handler without its per-value converter call: every value is the server's text (the
    converters are identities here), decoded as UTF-8 (the client encoding pg8000 sets): about 1.3x the rows per second (bench/sql_extract.py)."""
    idx = 2
    row = []
    append = row.append
    for _ in context.input_funcs:
        length = _INT32(data, idx)[0]
        idx += 4
        if length == -1:
            append(None)
        else:
            append(data[idx : idx + length].decode("utf-8"))
            idx += length
    context.rows.append(row)


# What a fetched row costs in memory besides its CSV bytes: pg8000's list of str objects (a str is ~49 bytes plus its
# text, a list ~56 plus 8 per item) and, while a batch is written, its CSV text twice (StringIO and encoded bytes).
PER_VALUE_OVERHEAD = 64
PER_ROW_OVERHEAD = 64
CSV_COPIES = 3


def row_cost(csv_bytes, columns):
    """Estimated bytes one row holds while its batch is in memory."""
    return CSV_COPIES * csv_bytes + PER_VALUE_OVERHEAD * columns + PER_ROW_OVERHEAD


def stream_csv(con, statement, values, data_file, max_bytes, header):
    """DECLARE a server-side cursor for the query, FETCH batches sized so that a batch's estimated memory (its rows
    as pg8000 holds them and their CSV) stays under max_bytes, write and hash them; returns the counts."""
    con.run("BEGIN READ ONLY")
    # Bound by the server: the query text is the driver's `$n` form of the file; values go in Bind messages.
    # Plain DECLARE ... CURSOR FOR (no SCROLL options): the form PostgreSQL and Redshift both accept.
    con.execute_unnamed(f"DECLARE {CURSOR} CURSOR FOR {statement}", vals=values)
    # Values as the server's text (what psql \copy writes): no conversion to Python types and back.
    con.pg_types.default_factory = lambda: _text
    for oid in list(con.pg_types):
        con.pg_types[oid] = _text
    if getattr(con, "_client_encoding", "utf8") == "utf8" and DATA_ROW in getattr(con, "message_types", {}):
        con.message_types[DATA_ROW] = _data_row_as_text
    digest = hashlib.sha256()
    stats = {"rows": 0, "bytes": 0, "batches": 0, "largestBatchBytes": 0, "largestBatchRows": 0,
             "largestBatchEstimate": 0}
    columns = None
    batch_rows = FIRST_BATCH_ROWS
    costliest_row = 1.0
    with open(data_file, "wb") as out:
        while True:
            fetched = con.run(f"FETCH FORWARD {batch_rows} FROM {CURSOR}")
            if columns is None:
                columns = [{"name": c["name"], "type_oid": c["type_oid"]} for c in (con.columns or [])]
                if header:
                    buffer = io.StringIO()
                    csv.writer(buffer, lineterminator="\n").writerow([c["name"] for c in columns])
                    chunk = buffer.getvalue().encode("utf-8")
                    digest.update(chunk)
                    out.write(chunk)
                    stats["bytes"] += len(chunk)
            if not fetched:
                break
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(fetched)
            chunk = buffer.getvalue().encode("utf-8")
            del buffer
            digest.update(chunk)
            out.write(chunk)
            n = len(fetched)
            stats["rows"] += n
            stats["bytes"] += len(chunk)
            stats["batches"] += 1
            stats["largestBatchBytes"] = max(stats["largestBatchBytes"], len(chunk))
            stats["largestBatchRows"] = max(stats["largestBatchRows"], n)
            stats["largestBatchEstimate"] = max(
                stats["largestBatchEstimate"], int(row_cost(len(chunk) / n, len(columns)) * n)
            )
            costliest_row = max(costliest_row, row_cost(len(chunk) / n, len(columns)))
            del fetched, chunk
            batch_rows = int(max(1, min(MAX_BATCH_ROWS, max_bytes // costliest_row)))
    con.run(f"CLOSE {CURSOR}")
    con.run("COMMIT")
    return stats, digest.hexdigest(), columns or []


def query_error(e, query_file):
    code, message = sqlstate(e)
    hints = {
        "42P01": "a table or view the query reads does not exist (or the user cannot see its schema)",
        "42703": "a column the query reads does not exist",
        "42501": "the user lacks a privilege the query needs",
        "42601": "the query has a syntax error",
        "57014": "the query was cancelled (statement timeout)",
    }
    hint = hints.get(code, "the server rejected the query")
    return ExtractError("query", f"{query_file}: {hint} ({code}: {message})")


def scrub(text, secret_values):
    for value in secret_values:
        if value:
            text = text.replace(value, "***")
    return text


def run(args, env, today=None, clock=time.time):
    started = clock()
    started_at = dt.datetime.now(dt.timezone.utc)
    today = today or started_at.date()
    try:
        query = open(args.query_file, encoding="utf-8").read()
    except OSError as e:
        raise ExtractError("config", f"cannot read the query file {args.query_file}: {e.strerror}") from None
    if not query.strip():
        raise ExtractError("config", f"the query file {args.query_file} is empty")
    # One statement: the server refuses several in the one Parse message the cursor is declared with (42601).
    query = query.strip().rstrip(";").rstrip()
    statement, used = placeholders(query)
    parameters = read_parameters(env)
    window = resolve_window(env, today)
    check_parameters(used, parameters, window is not None)
    bound = dict(parameters)
    if window is not None:
        bound["window_start"], bound["window_end"] = window["start"], window["end"]
    values = tuple(bound[name] for name in used)

    allow_empty = env_flag(env, "SQL_ALLOW_EMPTY")
    header = env_flag(env, "SQL_HEADER")
    max_bytes = env_int(env, "SQL_MAX_BYTES", DEFAULT_MAX_BYTES, 1024)
    timeout = env_int(env, "SQL_CONNECT_TIMEOUT", 10, 1)
    sslmode = env.get("SQL_SSLMODE", "require")

    if env.get("SQL_SECRET_ARN"):
        origin = {"secretArn": env["SQL_SECRET_ARN"]}
        settings = connection_settings(secret_from_aws(env["SQL_SECRET_ARN"]), f"secret {env['SQL_SECRET_ARN']}")
    elif env.get("SQL_CONNECTION_URL"):
        origin = {"connectionUrl": "SQL_CONNECTION_URL (local run)"}
        parsed = secret_from_url(env["SQL_CONNECTION_URL"])
        sslmode = parsed.pop("sslmode") or sslmode  # ?sslmode=disable in the URL wins, as with libpq
        settings = connection_settings(parsed, "SQL_CONNECTION_URL")
    else:
        raise ExtractError("config", "no connection: set SQL_SECRET_ARN (in a job) or SQL_CONNECTION_URL (local run)")
    args.secret_values.append(settings["password"])
    context = ssl_context(sslmode, env.get("SQL_SSLROOTCERT"))

    con = connect(settings, context, timeout)
    try:
        server_version = con.parameter_statuses.get("server_version", "unknown")
        os.makedirs(args.data_dir, exist_ok=True)
        data_file = os.path.join(args.data_dir, "data.csv")
        try:
            stats, sha256, columns = stream_csv(con, statement, values, data_file, max_bytes, header)
        except DatabaseError as e:
            remove(data_file)
            raise query_error(e, os.path.basename(args.query_file)) from None
        except (InterfaceError, OSError) as e:
            remove(data_file)
            cause = e.__cause__ or e
            raise ExtractError(
                "unreachable",
                f"the connection to {settings['host']}:{settings['port']} broke during the extract "
                f"({type(cause).__name__}: {cause}); nothing was kept: run the step again",
            ) from None
        except BaseException:
            remove(data_file)
            raise
    finally:
        try:
            con.close()
        except Exception:
            pass
    rows, size = stats["rows"], stats["bytes"]
    if rows == 0 and not allow_empty:
        remove(data_file)
        raise ExtractError(
            "empty",
            f"{os.path.basename(args.query_file)} returned no row"
            + (f" for the window {window['start']} .. {window['end']}" if window else "")
            + ": check the query and its parameters, or set allowEmpty: true if an empty extract is expected",
        )
    finished_at = dt.datetime.now(dt.timezone.utc)
    manifest = {
        "manifestVersion": MANIFEST_VERSION,
        "source": env.get("SQL_SOURCE", ""),
        "query": {"file": os.path.basename(args.query_file), "sha256": hashlib.sha256(query.encode("utf-8")).hexdigest(), "text": query},
        "parameters": {name: (v.isoformat() if isinstance(v, dt.date) else v) for name, v in bound.items()},
        "window": None
        if window is None
        else {
            "start": window["start"].isoformat(),
            "end": window["end"].isoformat(),
            "spec": window["spec"],
            "resolvedBy": window["resolvedBy"],
            "resolvedOn": window["today"].isoformat() if window["resolvedBy"] == "job" else None,
        },
        "rows": rows,
        "columns": columns,
        "data": {
            "file": "data.csv",
            "sha256": sha256,
            "bytes": size,
            "format": "csv",
            "header": header,
            "null": "empty field",
        },
        "server": {"engine": settings["engine"], "version": server_version, "host": settings["host"], "port": settings["port"], "database": settings["dbname"]},
        "connection": origin,
        "memory": {
            "maxBytes": max_bytes,
            "batches": stats["batches"],
            "largestBatchRows": stats["largestBatchRows"],
            "largestBatchBytes": stats["largestBatchBytes"],
            "largestBatchEstimate": stats["largestBatchEstimate"],
        },
        "driver": {"name": "pg8000", "version": getattr(pg8000, "__version__", "unknown")},
        "startedAt": started_at.isoformat(timespec="seconds"),
        "finishedAt": finished_at.isoformat(timespec="seconds"),
        "seconds": round(clock() - started, 3),
    }
    os.makedirs(args.manifest_dir, exist_ok=True)
    # No field comes from the secret's password (only host, port, database, engine): nothing to scrub, and scrubbing
    # could corrupt the hashes.
    with open(os.path.join(args.manifest_dir, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def write_message(path, text):
    if not path:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text[:1024])
    except OSError:
        pass


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Extract a SQL source to CSV with a manifest.")
    parser.add_argument("--query-file", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--manifest-dir", required=True)
    # SageMaker returns this file's first KB as the job's ExitMessage; written only inside a processing job by default.
    parser.add_argument(
        "--message-file", default="/opt/ml/output/message" if os.path.isdir("/opt/ml/processing") else None
    )
    args = parser.parse_args(argv)
    args.secret_values = []
    return args


def main(argv=None, env=None):
    args = parse_args(argv)
    env = dict(os.environ if env is None else env)
    if env.get("SQL_CONNECTION_URL"):
        args.secret_values.append(secret_from_url(env["SQL_CONNECTION_URL"]).get("password"))
    message_file = args.message_file
    try:
        manifest = run(args, env)
    except ExtractError as e:
        text = scrub(str(e), args.secret_values)
        print(f"extract: error: {text}", file=sys.stderr)
        write_message(message_file, f"extract failed: {text}")
        return EXIT[e.kind]
    except Exception as e:  # unexpected: still one line, still scrubbed, no traceback (it could quote values)
        text = scrub(f"{type(e).__name__}: {e}", args.secret_values)
        print(f"extract: error: unexpected {text}", file=sys.stderr)
        write_message(message_file, f"extract failed: unexpected {text}")
        return EXIT["internal"]
    write_message(message_file, manifest["data"]["sha256"])
    window = manifest["window"]
    print(
        f"extract: {manifest['rows']} rows, {manifest['data']['bytes']} bytes, sha256 {manifest['data']['sha256']}"
        + (f", window {window['start']} .. {window['end']}" if window else "")
        + f", {manifest['server']['engine']} {manifest['server']['version']}, {manifest['seconds']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
