"""Benchmark of the SQL source's extract step (sagemaker-pipeline/scripts/extract.py) against psql's \\copy of the
same query on the same machine, both reading 1,000,000 rows of a 10-column table from a local PostgreSQL server that
this script starts (Debian's postgresql, as the tests do) and writing CSV.

  python3 bench/sql_extract.py [--rows 1000000] [--runs 3]      (npm run bench:sql)

Prints, per tool: wall time (median and best of the runs, which interleave the tools), rows/s, CPU seconds of
the client process (stable on a loaded machine), peak RSS of the process (ru_maxrss from wait4), and
whether the extract's CSV is byte-identical to psql's."""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "test" / "sagemaker-pipeline"))
from postgres_server import PostgresServer, pg_bin  # noqa: E402

SCRIPT = ROOT / "sagemaker-pipeline" / "scripts" / "extract.py"
QUERY = "SELECT id, a, b, c, d, e, f, g, h, i FROM bench ORDER BY id"


def measure(argv, env):
    """Runs argv; returns (wall seconds, peak RSS in MiB, CPU seconds of the process: user + system)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = PostgresServer().start()
    try:
        server.psql("-c", f"""
            CREATE TABLE bench AS SELECT
              i::bigint AS id, (i % 1000)::integer AS a, (i * 0.001)::double precision AS b,
              (i % 100000 / 100.0)::numeric(12, 2) AS c, md5(i::text) AS d, DATE '2020-01-01' + (i % 2000) AS e,
              TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL '1 second' AS f, (i % 2 = 0) AS g,
              (ARRAY['north', 'south', 'east', 'west'])[i % 4 + 1] AS h, sqrt(i)::double precision AS i
            FROM generate_series(1, {args.rows}) AS i;""")
        server.psql("-c", "VACUUM ANALYZE bench")
        work = Path(tempfile.mkdtemp(prefix="sql-bench-"))
        env = {**os.environ, "SQL_CONNECTION_URL": server.url() + "?sslmode=disable"}
        (work / "q.sql").write_text(QUERY)
        copy_file = work / "copy.csv"

        def extract(max_bytes):
            return [sys.executable, str(SCRIPT), "--query-file", str(work / "q.sql"), "--data-dir", str(work / "data"),
                    "--manifest-dir", str(work / "manifest"), "--message-file", str(work / "message")], \
                {**env, "SQL_MAX_BYTES": str(max_bytes)}

        tools = {
            "extract.py (maxBytes 16 MiB, default)": extract(16 << 20),
            "extract.py (maxBytes 1 MiB)": extract(1 << 20),
            "psql \\copy (anchor)": (
                [pg_bin("psql"), "-X", "-q", "-c", f"\\copy ({QUERY}) TO '{copy_file}' WITH (FORMAT csv)"],
                {**server.env(), "PGSSLMODE": "disable"},  # both tools in plain text (the server offers TLS)
            ),
        }
        # Rounds interleave the tools, so that a change of the machine's load hits each of them alike.
        results = {label: [] for label in tools}
        for _ in range(args.runs):
            for label, (argv, run_env) in tools.items():
                results[label].append(measure(argv, run_env))
        extract_sha = sha256(work / "data" / "data.csv")
        size = copy_file.stat().st_size
        print(f"{args.rows} rows x 10 columns, {size / 1e6:.1f} MB of CSV, median of {args.runs} runs, "
              f"PostgreSQL {server.psql('-tAc', 'SHOW server_version').strip()}, {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'tool':40} {'median s':>8} {'rows/s':>8} {'best s':>7} {'rows/s':>8} {'CPU s':>6} {'rows/CPU s':>10} "
              f"{'peak RSS MiB':>12}  (runs: wall s/CPU s/MiB)")
        for label, runs in results.items():
            seconds = statistics.median(r[0] for r in runs)
            best = min(r[0] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            rss = max(r[1] for r in runs)
            detail = ", ".join(f"{s:.2f}/{c:.2f}/{m:.0f}" for s, m, c in runs)
            print(f"{label:40} {seconds:8.2f} {args.rows / seconds:8.0f} {best:7.2f} {args.rows / best:8.0f} "
                  f"{cpu:6.2f} {args.rows / cpu:10.0f} {rss:12.1f}  ({detail})")
        print("CPU s: the client process only (user + system); the server's work (the query, text output) is not in it.")
        print(f"extract.py CSV identical to psql's: {extract_sha == sha256(copy_file)} (sha256 {extract_sha})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
